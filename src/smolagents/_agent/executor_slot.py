"""The executors of one CodeAgent: the instance the user gave, and the sandboxes its sessions own.

A sandbox built from ``executor_type`` (a worker process, a container, a cloud machine) belongs to
one conversation of one session, so two sessions never share variables. It is released when the
session starts a new conversation, when the session is garbage-collected, when the interpreter
exits, or by ``agent.cleanup()`` (all of the agent's sandboxes at once). An executor instance the
user passed as ``executor=`` is theirs: every session shares it, and only ``cleanup()`` ends it.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

__all__ = ["ExecutorSlot"]


def _clean_up(executor: Any) -> None:
    executor.cleanup()


class ExecutorSlot:
    """Holds the user's shared executor (if any) and a lease on every sandbox the agent's sessions own.

    Args:
        executor: An executor instance given by the user, shared by every session; None to build one
            per conversation from the agent's ``executor_type``.
    """

    def __init__(self, executor: Any = None) -> None:
        self.executor = executor
        # id(sandbox) -> the finalizer that cleans it up once (on release, or when its owner is collected).
        self._leases: dict[int, weakref.finalize[Any, Any]] = {}
        self._lock = threading.Lock()

    def lease(self, owner: object, sandbox: Any) -> Any:
        """Record `sandbox` as owned by `owner` (a session): it is cleaned up at the latest when `owner` is collected."""
        release = weakref.finalize(owner, _clean_up, sandbox)
        with self._lock:
            self._leases = {key: lease for key, lease in self._leases.items() if lease.alive}
            self._leases[id(sandbox)] = release
        return sandbox

    def holds(self, sandbox: Any) -> bool:
        """Whether `sandbox` is a live sandbox of this agent (not released yet)."""
        with self._lock:
            lease = self._leases.get(id(sandbox))
        return lease is not None and lease.alive

    def release(self, sandbox: Any) -> None:
        """Clean up `sandbox` if this slot leased it (the user's executor and local ones are left alone)."""
        with self._lock:
            lease = self._leases.pop(id(sandbox), None)
        if lease is not None:
            lease()

    def release_all(self) -> None:
        """Clean up every sandbox of the agent's sessions, and the user's executor."""
        with self._lock:
            leases, self._leases = list(self._leases.values()), {}
        errors: list[BaseException] = []
        for lease in leases:
            try:
                lease()
            except Exception as error:  # release the others first, then report
                errors.append(error)
        if self.executor is not None:
            self.executor.cleanup()
        if errors:
            raise errors[0]
