"""What the isolated worker does to itself before it runs any code: resource limits and seccomp.

Runs inside the sandbox (see worker.py). The limits are set with equal soft and hard values, so
the code cannot raise them again. The seccomp filter (libseccomp through `pyseccomp`) allows
everything except what the worker never needs once started: new processes (threads stay
allowed), running programs, sockets other than Unix ones, and the kernel interfaces sandbox
escapes go through (namespaces, mounts, ptrace, BPF, keyrings, modules).
"""

from __future__ import annotations

import errno
import resource
import socket
from dataclasses import dataclass
from typing import Any

__all__ = ["Limits", "apply_limits", "load_seccomp_filter", "set_cpu_budget"]

_CLONE_THREAD = 0x00010000
_DENIED = (
    "fork",
    "vfork",
    "execve",
    "execveat",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "open_by_handle_at",
    "name_to_handle_at",
    "io_uring_setup",
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of the worker process (None: leave the inherited limit).

    Attributes:
        memory_bytes: Address space (RLIMIT_AS); allocations beyond it fail with MemoryError.
        cpu_seconds: CPU time of one call (RLIMIT_CPU, reset before each call); past it the worker
            is killed with SIGXCPU.
        processes: Processes and threads of the user (RLIMIT_NPROC; not enforced for root, whom the
            seccomp filter stops instead).
        open_files: Open file descriptors (RLIMIT_NOFILE).
        file_bytes: Largest file the code may write (RLIMIT_FSIZE).
    """

    memory_bytes: int | None = 4 * 2**30
    cpu_seconds: int | None = 60
    processes: int | None = 256
    open_files: int | None = 256
    file_bytes: int | None = 2**30

    def to_dict(self) -> dict[str, int | None]:
        """Return the limits as JSON data."""
        return {
            "memory_bytes": self.memory_bytes,
            "cpu_seconds": self.cpu_seconds,
            "processes": self.processes,
            "open_files": self.open_files,
            "file_bytes": self.file_bytes,
        }


_LIMIT_KINDS = {
    "memory_bytes": resource.RLIMIT_AS,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
    "file_bytes": resource.RLIMIT_FSIZE,
}


def apply_limits(limits: dict[str, Any]) -> None:
    """Set the worker's resource limits (soft = hard, so they stay), and no core dumps."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, kind in _LIMIT_KINDS.items():
        value = limits.get(name)
        if value is not None:
            _, hard = resource.getrlimit(kind)
            value = min(int(value), hard) if hard != resource.RLIM_INFINITY else int(value)
            resource.setrlimit(kind, (value, value))


def set_cpu_budget(seconds: int | None) -> None:
    """Allow the coming call `seconds` of CPU time on top of what the worker used so far."""
    if seconds is None:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + int(seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def load_seccomp_filter() -> None:
    """Load the worker's seccomp filter (raises ImportError without `pyseccomp`, OSError without libseccomp)."""
    import pyseccomp as seccomp

    deny = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in _DENIED:
        try:
            rules.add_rule(deny, name)
        except (OSError, RuntimeError, ValueError):
            continue  # not a system call on this architecture
    # New threads are clone() with CLONE_THREAD; any other clone makes a process.
    rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, 0))
    # clone3 passes its flags in memory the filter cannot read: refuse it as unknown, and libc
    # falls back to clone(), which the rule above checks.
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    rules.add_rule(deny, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    rules.load()
