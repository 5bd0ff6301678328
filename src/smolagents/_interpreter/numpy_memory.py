"""Every numpy allocation made by model code asks the executor's budget first.

numpy lets a program choose the allocator of array data (NEP 49: a `PyDataMem_Handler` set per
context). While model code runs, the executor installs a handler whose `malloc`/`calloc`/`realloc`
refuse a request larger than the memory the code may still use and otherwise call numpy's own
default functions; `free` is numpy's own default `free`, so arrays outlive the run safely and no
Python runs when they are released. A refused request makes numpy raise its usual MemoryError
before touching any memory, whatever API asked for it (constructors, broadcasting, fancy
indexing, concatenation, pandas...); the runtime reports it as a refusal.

The handler is reached through numpy's C-API table with ctypes; every step is checked (table
slots, capsule names, the name numpy reports back), and on any mismatch the handler is simply
not used (the budget's peak-memory check still stops the code after the fact).
"""

from __future__ import annotations

import ctypes
import importlib
import sys
from typing import Any

from .context import current_budget

__all__ = ["bounded_numpy_allocations", "restore_numpy_allocations"]

_SET_HANDLER_SLOT = 304  # PyDataMem_SetHandler in numpy's C-API table (since 1.22, stable)
_DEFAULT_HANDLER_SLOT = 306  # PyDataMem_DefaultHandler
_NAME = b"smolagents_bounded"
_SMALL_BYTES = 1 << 20  # smaller requests pass without a system call; the ticks catch many of them

_MALLOC = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)  # (result, context, size)
_CALLOC = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)  # + item count, item size
_REALLOC = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)  # + pointer, new size


class _Allocator(ctypes.Structure):
    _fields_ = [
        ("ctx", ctypes.c_void_p),
        ("malloc", ctypes.c_void_p),
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.c_void_p),
    ]


class _Handler(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char * 127), ("version", ctypes.c_uint8), ("allocator", _Allocator)]


def _allowed(size: int) -> bool:
    if size <= _SMALL_BYTES:
        return True
    budget = current_budget()
    left = budget.memory_left()
    if left is None or size <= left:
        return True
    budget.refused_allocation = size
    return False


class _Bounded:
    """The installed handler and what it needs kept alive for as long as the process runs."""

    def __init__(self) -> None:
        api = ctypes.pythonapi
        api.PyCapsule_GetPointer.restype = ctypes.c_void_p
        api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
        api.PyCapsule_GetName.restype = ctypes.c_char_p
        api.PyCapsule_GetName.argtypes = [ctypes.py_object]
        api.PyCapsule_New.restype = ctypes.py_object
        api.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
        table_capsule = importlib.import_module("numpy._core._multiarray_umath")._ARRAY_API
        address = api.PyCapsule_GetPointer(table_capsule, api.PyCapsule_GetName(table_capsule))
        table = ctypes.cast(address, ctypes.POINTER(ctypes.c_void_p))
        self.set_handler = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object)(table[_SET_HANDLER_SLOT])
        default_capsule = ctypes.cast(
            table[_DEFAULT_HANDLER_SLOT], ctypes.POINTER(ctypes.py_object)
        ).contents.value
        if api.PyCapsule_GetName(default_capsule) != b"mem_handler":
            raise RuntimeError("numpy's default allocator is not where NEP 49 puts it")
        default = _Handler.from_address(api.PyCapsule_GetPointer(default_capsule, b"mem_handler"))
        if default.version != 1:
            raise RuntimeError(f"unknown numpy allocator version {default.version}")
        # Called from inside our callbacks, which may run where numpy released the GIL: these
        # calls must keep the GIL (PYFUNCTYPE) instead of releasing a thread state they do not own.
        real_malloc = ctypes.PYFUNCTYPE(*_MALLOC)(default.allocator.malloc)
        real_calloc = ctypes.PYFUNCTYPE(*_CALLOC)(default.allocator.calloc)
        real_realloc = ctypes.PYFUNCTYPE(*_REALLOC)(default.allocator.realloc)

        def malloc(context: Any, size: int) -> Any:
            return real_malloc(context, size) if _allowed(size) else None

        def calloc(context: Any, count: int, itemsize: int) -> Any:
            return real_calloc(context, count, itemsize) if _allowed(count * itemsize) else None

        def realloc(context: Any, pointer: Any, size: int) -> Any:
            return real_realloc(context, pointer, size) if _allowed(size) else None

        self.callbacks = (
            ctypes.CFUNCTYPE(*_MALLOC)(malloc),
            ctypes.CFUNCTYPE(*_CALLOC)(calloc),
            ctypes.CFUNCTYPE(*_REALLOC)(realloc),
        )
        self.handler = _Handler(
            _NAME,
            1,
            _Allocator(
                default.allocator.ctx,
                *(ctypes.cast(callback, ctypes.c_void_p) for callback in self.callbacks),
                default.allocator.free,  # numpy's own: freeing runs no Python
            ),
        )
        self.capsule_name = ctypes.c_char_p(b"mem_handler")
        self.capsule = api.PyCapsule_New(ctypes.addressof(self.handler), self.capsule_name, None)
        previous = self.set_handler(self.capsule)  # check that numpy now reports our handler
        try:
            reported = importlib.import_module("numpy._core.multiarray").get_handler_name()
        finally:
            self.set_handler(previous)
        if reported != _NAME.decode():
            raise RuntimeError(f"numpy reported allocator {reported!r} after installing ours")


_bounded: _Bounded | None = None
_unavailable = False


def bounded_numpy_allocations() -> Any:
    """Make numpy allocations in this context ask the budget.

    Returns:
        The allocator to pass to `restore_numpy_allocations` afterwards, or None when numpy is not
        loaded or the allocator cannot be installed (nothing to restore).
    """
    global _bounded, _unavailable
    if "numpy" not in sys.modules or _unavailable:
        return None
    if _bounded is None:
        try:
            _bounded = _Bounded()
        except Exception:  # another numpy layout or Python: keep numpy's default allocator
            _unavailable = True
            return None
    return _bounded.set_handler(_bounded.capsule)


def restore_numpy_allocations(previous: Any) -> None:
    """Put back the allocator `bounded_numpy_allocations` replaced."""
    if previous is not None and _bounded is not None:
        _bounded.set_handler(previous)
