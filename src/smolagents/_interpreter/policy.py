"""The policy registry: every (module or type, attribute, rule) the interpreter applies, in one place.

Two kinds of entries:
- `AttributeRule`: reading `attribute` on an object (or class) the rule `applies` to is served by
  the rule (a guarded version, or a refusal). Whatever way the attribute is reached (`obj.name`,
  `getattr`, the class's unbound method, a format string), the checked code routes it here.
- `ModuleRule`: in the copy of `module` that model code imports, `attribute` is removed or
  replaced by a guarded version.

The tables the rest of the interpreter reads are derived from these lists: `ROUTED_ATTRIBUTES`
(what the checker routes), `removed_attributes`, `module_replacements`. To bound one more
expensive call or close one more attribute, add an entry here (see docs/interpreter.md).
"""

from __future__ import annotations

import datetime
import queue
from abc import ABCMeta
from array import array
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from random import Random
from types import CodeType
from typing import Any, Literal

from .arrays import ARRAY_METHOD_NAMES, array_method
from .c_openers import c_opener_overrides, guarded_lxml_method
from .errors import RefusedError
from .guards import is_owned, real_type, set_routed_handler
from .limits import (
    STRING_ROUTES,
    checked_randbits,
    checked_randbytes,
    counter_elements,
    exception_link,
    extend,
    sort_list,
    strftime_method,
    to_bytes,
    translate,
)
from .module_overrides import LAZY_OVERRIDES, OVERRIDES
from .numpy_functions import ARRAY_OVERRIDES
from .stand_ins import checked_expand, regex_overrides, rewrapped_pattern

__all__ = [
    "ATTRIBUTE_RULES",
    "MODULE_RULES",
    "ROUTED_ATTRIBUTES",
    "AttributeRule",
    "ModuleRule",
    "module_replacements",
    "removed_attributes",
    "serve_attribute",
]


@dataclass(frozen=True)
class AttributeRule:
    """Reading `attribute` on objects `applies` accepts is served by `serve(obj)`.

    Attributes:
        attribute: The attribute name.
        applies: Whether the rule covers this object (instances and classes alike, as needed).
        serve: Returns what the read gives model code (a guarded callable), or raises a refusal.
        why: One line for the reader of the policy.
    """

    attribute: str
    applies: Callable[[Any], bool]
    serve: Callable[[Any], Any]
    why: str


@dataclass(frozen=True)
class ModuleRule:
    """In model code's copy of `module`, `attribute` is removed or replaced.

    Attributes:
        module: The module's dotted name.
        attribute: The attribute (a dotted path below the module for removals: `lib.npyio`).
        action: "remove", or "replace" with `value`.
        value: The replacement.
        why: One line for the reader of the policy.
    """

    module: str
    attribute: str
    action: Literal["remove", "replace"]
    value: Any = None
    why: str = ""


def _refuse(message: str) -> Callable[[Any], Any]:
    def refuse(obj: Any) -> Any:
        raise RefusedError(message)

    return refuse


def _instance_or_class(*kinds: type) -> Callable[[Any], bool]:
    return lambda obj: isinstance(obj, kinds) or (isinstance(obj, type) and issubclass(obj, kinds))


def _bound_or_unbound(function: Callable[..., Any], *kinds: type) -> Callable[[Any], Any]:
    # An instance gets the guard bound to it; the class (`list.extend(x, ...)`) the guard itself.
    return lambda obj: (
        function if isinstance(obj, type) and issubclass(obj, kinds) else partial(function, obj)
    )


def _module_of(prefix: str) -> Callable[[Any], bool]:
    def applies(obj: Any) -> bool:
        owner = obj if isinstance(obj, type) else type(obj)
        return str(getattr(owner, "__module__", "")).startswith(prefix)

    return applies


def _is_match(obj: Any) -> bool:
    return type(obj).__name__ == "Match" and hasattr(obj, "group")


_MEMORY = "it gives raw access to the process's memory"
_PANDAS_EVAL = (
    "pandas {}() is not allowed: it evaluates a string that can reach the interpreter's variables. "
    "Use boolean indexing (df[df.a > 1]) or explicit column arithmetic instead."
)


def _string_rules() -> list[AttributeRule]:
    rules = []
    for name, function in STRING_ROUTES.items():
        kinds = (str,) if name.startswith("format") else (str, bytes, bytearray)
        rules.append(
            AttributeRule(
                name, _instance_or_class(*kinds), _bound_or_unbound(function, *kinds), "strings built huge"
            )
        )
    return rules


def _array_method_rule(name: str) -> AttributeRule:
    def applies(obj: Any) -> bool:
        return array_method(obj, name) is not None

    def serve(obj: Any) -> Any:
        return array_method(obj, name)

    return AttributeRule(
        name, applies, serve, "numpy work far beyond its result, or one Python object per element"
    )


def _lxml_method_rule(name: str) -> AttributeRule:
    def serve(obj: Any) -> Any:
        return guarded_lxml_method(obj, name)

    return AttributeRule(name, _module_of("lxml"), serve, "lxml trees that open files in C")


ATTRIBUTE_RULES: tuple[AttributeRule, ...] = (
    AttributeRule("obj", lambda o: isinstance(o, BaseException), lambda o: exception_link(o, "obj"),
                  "an exception pointing at library internals (a real module)"),
    AttributeRule("__context__", lambda o: isinstance(o, BaseException), lambda o: exception_link(o, "__context__"),
                  "a chained exception holding host objects"),
    AttributeRule("__cause__", lambda o: isinstance(o, BaseException), lambda o: exception_link(o, "__cause__"),
                  "a chained exception holding host objects"),
    *(AttributeRule(name, lambda o: True, _refuse(f"Attribute {name!r} is not allowed: {_MEMORY}."), "raw memory")
      for name in ("from_address", "from_buffer", "from_buffer_copy", "in_dll")),
    AttributeRule("ctypes", _module_of("numpy"), _refuse(f"Attribute 'ctypes' is not allowed: {_MEMORY}."),
                  "numpy arrays hand out ctypes types"),
    *(AttributeRule(name, _instance_or_class(queue.Queue),
                    _refuse(f"Attribute {name!r} of a queue is not allowed: use put/get/join, which are time-bounded."),
                    "a raw lock is a deadlock primitive")
      for name in ("mutex", "not_empty", "not_full", "all_tasks_done")),
    AttributeRule("register", lambda o: isinstance(o, ABCMeta) and not is_owned(o),
                  lambda o: _refuse(f"{o.__name__}.register() is not allowed: it would change isinstance() for the "
                                    "whole process. Subclass it instead.")(o),
                  "ABCMeta.register on shared classes changes isinstance() for the host"),
    *(AttributeRule(name, _module_of("pandas"), _refuse(_PANDAS_EVAL.format(name)), "string evaluation")
      for name in ("eval", "query")),
    *(_array_method_rule(name) for name in sorted(ARRAY_METHOD_NAMES)),
    *(_lxml_method_rule(name) for name in ("xinclude", "write", "write_c14n", "write_output")),
    AttributeRule("extend", _instance_or_class(list, bytearray, deque, array),
                  _bound_or_unbound(extend, list, bytearray, deque, array), "growth fed by its own iterator"),
    AttributeRule("sort", _instance_or_class(list), _bound_or_unbound(sort_list, list), "C key functions"),
    AttributeRule("strftime", lambda o: isinstance(o, (datetime.date, datetime.time)),
                  lambda o: partial(strftime_method, o), "templates whose directives expand"),
    AttributeRule("re", _is_match, lambda o: rewrapped_pattern(o.re), "a match's raw compiled pattern"),
    AttributeRule("expand", _is_match, lambda o: partial(checked_expand, o), "templates repeating the match"),
    AttributeRule("translate", lambda o: isinstance(o, str), lambda o: partial(translate, o), "huge strings"),
    AttributeRule("to_bytes", lambda o: isinstance(o, int), lambda o: partial(to_bytes, o), "huge byte strings"),
    AttributeRule("elements", lambda o: isinstance(o, Counter), lambda o: partial(counter_elements, o),
                  "huge iterators"),
    AttributeRule("getrandbits", lambda o: isinstance(o, Random), lambda o: partial(checked_randbits, o),
                  "huge integers"),
    AttributeRule("randbytes", lambda o: isinstance(o, Random), lambda o: partial(checked_randbytes, o),
                  "huge byte strings"),
    *_string_rules(),
)  # fmt: skip
"""Attribute rules, tried in order; the first that applies serves the read."""

_REMOVED = {
    "numpy": ("ctypeslib", "f2py", "distutils", "testing", "lib.npyio"),
    "numpy.lib.stride_tricks": ("as_strided",),  # strides chosen by the code read or write any byte
    "numpy.lib.array_utils": ("byte_bounds",),
    "pandas": ("read_pickle", "eval", "read_hdf", "HDFStore", "io"),
    "operator": ("attrgetter", "methodcaller"),
    "typing": ("get_type_hints", "ForwardRef", "_eval_type"),
    "posixpath": ("expandvars",),
    "os.path": ("expandvars",),
    "codecs": ("register", "unregister"),
    "sqlite3": ("enable_callback_tracebacks",),
}
_PROCESS_FUNCTIONS = (
    "read", "write", "pread", "pwrite", "readv", "writev", "preadv", "pwritev", "sendfile", "splice",
    "copy_file_range", "dup", "dup2", "fdopen", "close", "closerange", "lseek", "ftruncate", "fchmod",
    "fchown", "fchdir", "fsync", "fdatasync", "openpty", "pipe", "pipe2", "set_blocking", "set_inheritable",
    "eventfd", "memfd_create", "posix_fallocate", "posix_fadvise", "login_tty", "tcsetpgrp", "abort",
    "register_at_fork", "wait", "wait3", "wait4", "waitid", "waitpid", "waitstatus_to_exitcode", "pidfd_open",
    "setuid", "setgid", "seteuid", "setegid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
    "initgroups", "setpgid", "setpgrp", "setsid", "nice", "umask", "setpriority", "sched_setaffinity",
    "sched_setscheduler", "sched_setparam", "system", "popen",
)  # fmt: skip

MODULE_RULES: tuple[ModuleRule, ...] = (
    *(ModuleRule(module, attribute, "remove", why="pickle loading, string evaluation, raw memory or the environment")
      for module, attributes in _REMOVED.items() for attribute in attributes),
    *(ModuleRule(module, attribute, "remove", why="raw file descriptors and the process itself raise no audit event")
      for module in ("os", "posix") for attribute in _PROCESS_FUNCTIONS),
    ModuleRule("posix", "environ", "remove", why="the raw startup environment (os.environ is scrubbed)"),
    *(ModuleRule(module, attribute, "replace", value, "bounded or made private to the executor")
      for module, replacements in OVERRIDES.items() for attribute, value in replacements.items()),
)  # fmt: skip
"""Module rules for the copies model code imports (lazy replacements: `module_replacements`)."""


def _derive_routed() -> frozenset[str]:
    return frozenset(rule.attribute for rule in ATTRIBUTE_RULES)


ROUTED_ATTRIBUTES = _derive_routed()
"""Attribute names whose reads go through `serve_attribute` (derived from ATTRIBUTE_RULES)."""

_RULES_BY_NAME: dict[str, tuple[AttributeRule, ...]] = {
    name: tuple(rule for rule in ATTRIBUTE_RULES if rule.attribute == name) for name in ROUTED_ATTRIBUTES
}
_REMOVED_BY_MODULE: dict[str, frozenset[str]] = {}
for _rule in MODULE_RULES:
    if _rule.action == "remove":
        _REMOVED_BY_MODULE[_rule.module] = _REMOVED_BY_MODULE.get(_rule.module, frozenset()) | {
            _rule.attribute
        }
_STATIC_REPLACEMENTS: dict[str, dict[str, Any]] = {}
for _rule in MODULE_RULES:
    if _rule.action == "replace":
        _STATIC_REPLACEMENTS.setdefault(_rule.module, {})[_rule.attribute] = _rule.value


def removed_attributes(module: str) -> frozenset[str]:
    """Return the attributes closed in model code's copy of `module`."""
    return _REMOVED_BY_MODULE.get(module, frozenset())


def module_replacements(module: str) -> dict[str, Any]:
    """Return the replacements in model code's copy of `module` (static, and built on first import)."""
    found = regex_overrides() if module == "re" else dict(_STATIC_REPLACEMENTS.get(module, {}))
    if module in ARRAY_OVERRIDES:
        found.update(ARRAY_OVERRIDES[module]())
    if module in LAZY_OVERRIDES:
        found.update(LAZY_OVERRIDES[module]())
    found.update(c_opener_overrides(module))
    return found


def serve_attribute(obj: Any, name: str) -> Any:
    """Serve a read of one of `ROUTED_ATTRIBUTES` by the first rule that applies, else natively."""
    obj = real_type(obj)  # `str.join` through the `str` stand-in is `str.join`
    if isinstance(obj, CodeType):
        raise RefusedError("Code objects cannot be modified or read: they would run unchecked.")
    for rule in _RULES_BY_NAME.get(name, ()):
        if rule.applies(obj):
            return rule.serve(obj)
    return getattr(obj, name)


set_routed_handler(serve_attribute, ROUTED_ATTRIBUTES)
