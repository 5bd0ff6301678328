"""How a sandbox without our package gets the kernel: its source and serialization.py's, sent in.

`BOOT_CODE` runs as ``python -c`` in the sandbox: it reads one JSON line from stdin holding both
sources and the kernel's arguments, defines the two modules, and starts the kernel on stdin/stdout.
Nothing is written to the sandbox's disk, so a read-only root works.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

__all__ = ["BOOT_CODE", "boot_line", "kernel_sources", "module_definitions"]

_PACKAGE = Path(__file__).resolve().parents[1]

BOOT_CODE = (
    "import json, sys, types\n"
    "boot = json.loads(sys.stdin.buffer.readline())\n"
    "for name in ('serialization', 'smolagents_kernel'):\n"
    "    module = types.ModuleType(name)\n"
    "    exec(compile(boot[name], name + '.py', 'exec'), module.__dict__)\n"
    "    sys.modules[name] = module\n"
    "sys.modules['smolagents_kernel'].main(['kernel', boot['args']])\n"
)


@functools.lru_cache(maxsize=1)
def kernel_sources() -> dict[str, str]:
    """Return the sources the sandbox needs, by the module name they get there."""
    return {
        "serialization": (_PACKAGE / "serialization.py").read_text(encoding="utf-8"),
        "smolagents_kernel": (_PACKAGE / "_executors" / "kernel.py").read_text(encoding="utf-8"),
    }


def boot_line(kernel_args: dict[str, Any]) -> bytes:
    """Return the first line to send to `BOOT_CODE`: the sources and the kernel's arguments."""
    return json.dumps({**kernel_sources(), "args": json.dumps(kernel_args)}).encode()


def module_definitions() -> str:
    """Return code that defines the kernel modules in an already running Python (a notebook kernel)."""
    lines = ["import sys as _sys, types as _types"]
    for name, source in kernel_sources().items():
        lines += [
            f"_module = _types.ModuleType({name!r})",
            f"exec(compile({source!r}, {name + '.py'!r}, 'exec'), _module.__dict__)",
            f"_sys.modules[{name!r}] = _module",
        ]
    return "\n".join(lines) + "\ndel _module\n"
