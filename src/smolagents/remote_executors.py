"""Executors that run model code outside this process: an OS-isolated local worker, and sandboxes.

| executor | `executor_type` | where the code runs | tools |
|---|---|---|---|
| `IsolatedPythonExecutor` | "isolated" | a local worker process under bubblewrap, rlimits and seccomp | stay here, called over the protocol |
| `DockerExecutor` | "docker" | plain CPython in a container without network | stay here, called over the protocol |
| `WasmExecutor` | "wasm" | Pyodide (CPython on WebAssembly) in a Deno process | stay here, called over the protocol |
| `E2BExecutor` | "e2b" | an E2B cloud sandbox's notebook kernel | shipped as source code |
| `ModalExecutor` | "modal" | a Modal cloud sandbox's Jupyter kernel gateway | shipped as source code |
| `BlaxelExecutor` | "blaxel" | a Blaxel cloud sandbox's Jupyter kernel gateway | shipped as source code |

Every executor has the interface of `LocalPythonExecutor` (`send_tools`, `send_variables`,
`__call__(code) -> CodeOutput`, `cleanup`), keeps the code's variables across calls, and moves
values as `SafeSerializer` JSON (never pickle unless `allow_pickle=True`). See docs/executors.md.
"""

from __future__ import annotations

from ._executors.base import CodeOutput
from ._executors.blaxel import BlaxelExecutor
from ._executors.confinement import Limits
from ._executors.docker import DockerExecutor
from ._executors.e2b import E2BExecutor
from ._executors.errors import SandboxError, SandboxTimeoutError, SandboxUnavailableError, ValueTransferError
from ._executors.isolated import IsolatedPythonExecutor
from ._executors.modal import ModalExecutor
from ._executors.remote import RemotePythonExecutor
from ._executors.wasm import WasmExecutor
from .serialization import SafeSerializer, SerializationError

__all__ = [
    "BlaxelExecutor",
    "CodeOutput",
    "DockerExecutor",
    "E2BExecutor",
    "IsolatedPythonExecutor",
    "Limits",
    "ModalExecutor",
    "RemotePythonExecutor",
    "SafeSerializer",
    "SandboxError",
    "SandboxTimeoutError",
    "SandboxUnavailableError",
    "SerializationError",
    "ValueTransferError",
    "WasmExecutor",
]
