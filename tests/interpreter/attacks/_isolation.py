"""Run a callable in a forked child process under memory, CPU and wall-clock caps.

An attack that gets through may hang, eat memory or crash the interpreter; running it in a child
turns each of those into an ordinary test failure instead of taking the test session down.
"""

from __future__ import annotations

import faulthandler
import json
import os
import resource
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pytest

__all__ = ["ChildOutcome", "Limits", "run_in_child"]

Status = Literal["passed", "failed", "skipped", "xfailed", "crashed", "timed_out"]

_MAX_DETAIL = 20_000


@dataclass(frozen=True)
class Limits:
    """Caps applied to the child.

    Attributes:
        wall_seconds: Wall-clock time after which the parent kills the child.
        cpu_seconds: RLIMIT_CPU of the child (the kernel kills it with SIGXCPU beyond that).
        extra_memory_bytes: Address space the child may add to what it inherits at fork time.
    """

    wall_seconds: float = 30.0
    cpu_seconds: int = 30
    extra_memory_bytes: int = 2 * 1024**3


@dataclass(frozen=True)
class ChildOutcome:
    """How the child ended and the text explaining it."""

    status: Status
    detail: str


def _current_address_space() -> int:
    # The cap is relative: a pytest process that already mapped torch or numpy must not start
    # over its limit, yet every attack still gets the same headroom.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _apply_limits(limits: Limits) -> None:
    address_space = _current_address_space() + limits.extra_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _classify(error: BaseException) -> tuple[Status, str]:
    if isinstance(error, pytest.skip.Exception):
        return "skipped", str(error)
    if isinstance(error, pytest.xfail.Exception):
        return "xfailed", str(error)
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return "failed", text[-_MAX_DETAIL:]


def _child_main(function: Callable[[], object], limits: Limits, write_fd: int) -> None:
    status: Status = "passed"
    detail = ""
    # A crash is reported by its signal; the inherited faulthandler would only dump pytest's stack.
    faulthandler.disable()
    try:
        _apply_limits(limits)
        function()
    except BaseException as error:  # the child must report everything, SystemExit included
        status, detail = _classify(error)
    try:
        payload = json.dumps([status, detail]).encode()
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(0)


def _read_until_eof(read_fd: int, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def run_in_child(function: Callable[[], object], limits: Limits | None = None) -> ChildOutcome:
    """Call `function` in a forked child under `limits` and report how it ended.

    Args:
        function: What to run; its exceptions become the outcome (assertions fail the test).
        limits: Caps for the child; defaults to `Limits()`.

    Returns:
        The child's outcome; `crashed` and `timed_out` describe a child that never reported.
    """
    limits = limits or Limits()
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child_main(function, limits, write_fd)
    os.close(write_fd)
    try:
        payload, finished = _read_until_eof(read_fd, time.monotonic() + limits.wall_seconds)
    finally:
        os.close(read_fd)
    if not finished:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return ChildOutcome(
            "timed_out", f"the child was still running after {limits.wall_seconds} s and was killed"
        )
    _, wait_status = os.waitpid(pid, 0)
    if payload:
        status, detail = json.loads(payload)
        return ChildOutcome(status, detail)
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        return ChildOutcome("crashed", f"the child was killed by signal {signal.Signals(number).name}")
    return ChildOutcome("crashed", f"the child exited with status {os.WEXITSTATUS(wait_status)} unreported")
