"""Policy data of the interpreter: what model code may import, name, reach and how big it may grow.

Everything here is plain data so that a reviewer can read the whole policy in one place; the
checker (`transform.py`) and the runtime guards (`guards.py`, `modules.py`) only consult it.
"""

from __future__ import annotations

__all__ = [
    "ALLOWED_DUNDER_ATTRIBUTES",
    "ALLOWED_PRIVATE_ATTRIBUTES",
    "ALWAYS_CLOSED_MODULES",
    "DEFINABLE_DUNDERS",
    "BASE_BUILTIN_MODULES",
    "CODE_FILENAME",
    "CLOSED_FUNCTIONS",
    "DANGEROUS_FUNCTIONS",
    "DANGEROUS_MODULES",
    "DENIED_ATTRIBUTES",
    "HOST_MODULES",
    "FORBIDDEN_METHOD_DEFINITIONS",
    "LIMITS",
    "PROTECTED_BUILTIN_NAMES",
    "Limits",
]

from dataclasses import dataclass

BASE_BUILTIN_MODULES: list[str] = [
    "collections",
    "datetime",
    "itertools",
    "math",
    "queue",
    "random",
    "re",
    "stat",
    "statistics",
    "time",
    "unicodedata",
]
"""Modules every executor may import without being told."""

HOST_MODULES: list[str] = [
    "_ctypes",
    "_io",
    "_pickle",
    "_posixsubprocess",
    "_socket",
    "_ssl",
    "_thread",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "bdb",
    "builtins",
    "bz2",
    "cProfile",
    "cgi",
    "cgitb",
    "code",
    "codeop",
    "compileall",
    "concurrent",
    "copyreg",
    "crypt",
    "ctypes",
    "dbm",
    "dis",
    "distutils",
    "doctest",
    "ensurepip",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "ftplib",
    "gc",
    "getpass",
    "glob",
    "grp",
    "gzip",
    "http",
    "idlelib",
    "imaplib",
    "importlib",
    "inspect",
    "io",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "marshal",
    "mimetypes",
    "mmap",
    "modulefinder",
    "multiprocessing",
    "netrc",
    "nntplib",
    "nt",
    "os",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pip",
    "pkgutil",
    "platform",
    "poplib",
    "posix",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pydoc",
    "readline",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "select",
    "selectors",
    "setuptools",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "ssl",
    "subprocess",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "threading",
    "timeit",
    "tkinter",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "types",
    "unittest",
    "urllib",
    "venv",
    "warnings",
    "weakref",
    "webbrowser",
    "wsgiref",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
]
"""Modules that reach the host (files, processes, sockets, process-wide state): not in the base list,
and a warning is logged when an executor is given one of them (or `"*"`)."""

DANGEROUS_MODULES: list[str] = [
    "builtins", "io", "multiprocessing", "os", "pathlib", "pty", "shutil", "socket", "subprocess", "sys",
]  # fmt: skip
"""1.26's public table of modules that reach the host (the interpreter's own, wider, is HOST_MODULES)."""

ALWAYS_CLOSED_MODULES: frozenset[str] = frozenset(
    {
        # reach the interpreter's own objects or real modules: the checks could be switched off
        "sys", "builtins", "importlib", "inspect", "gc", "pkgutil", "runpy", "pydoc", "site", "unittest",
        "traceback",
        "zipimport", "code", "codeop",
        # change state the whole process shares, or make the host call model code later
        "logging", "atexit", "signal", "copyreg", "faulthandler", "tracemalloc", "warnings", "locale",
        "threading", "_thread", "multiprocessing", "concurrent", "asyncio",
        # low-level modules that act with no audit event
        "_posixsubprocess", "_posixshmem", "_xxsubinterpreters", "_xxinterpchannels", "_testcapi",
        "_testinternalcapi", "_testbuffer", "dbm", "_dbm", "_gdbm", "shelve", "fcntl", "termios", "tty",
        "pty", "readline", "curses", "_curses", "tkinter", "turtle", "idlelib",
    }
)  # fmt: skip
"""Modules refused even when named in additional_authorized_imports or under `"*"`.

Every other module the user names (os, subprocess, socket...) is honoured: what it does on the
host then meets the host permissions (files, network, processes, environment)."""

CLOSED_FUNCTIONS: list[str] = [
    "builtins.__import__",
    "builtins.breakpoint",
    "builtins.compile",
    "builtins.delattr",
    "builtins.eval",
    "builtins.exec",
    "builtins.getattr",
    "builtins.globals",
    "builtins.hasattr",
    "builtins.help",
    "builtins.input",
    "builtins.locals",
    "builtins.memoryview",
    "builtins.open",
    "builtins.setattr",
    "builtins.vars",
    "os.popen",
    "os.system",
    "posix.system",
]
"""Callables never handed to model code, also when an allowed module re-exports them.

The attribute builtins in this list are replaced by guarded versions; the others are absent.
"""

DANGEROUS_FUNCTIONS: list[str] = [
    "builtins.compile", "builtins.eval", "builtins.exec", "builtins.globals", "builtins.locals",
    "builtins.__import__", "os.popen", "os.system", "posix.system",
]  # fmt: skip
"""1.26's public table of functions never handed to model code (the interpreter closes the wider
CLOSED_FUNCTIONS)."""

DENIED_ATTRIBUTES: frozenset[str] = frozenset(
    {
        # frames, code objects, generators, coroutines, tracebacks: the way back to host globals
        "ag_await", "ag_code", "ag_frame", "ag_running",
        "cr_await", "cr_code", "cr_frame", "cr_origin", "cr_running",
        "gi_code", "gi_frame", "gi_running", "gi_yieldfrom",
        "f_back", "f_builtins", "f_code", "f_globals", "f_lasti", "f_lineno", "f_locals", "f_trace",
        "tb_frame", "tb_lasti", "tb_lineno", "tb_next",
        "co_code", "co_consts", "co_names", "co_varnames", "co_filename", "co_lnotab", "co_linetable",
        "func_closure", "func_code", "func_globals", "im_class", "im_func", "im_self",
        # class hierarchy walks that end at object.__subclasses__
        "mro",
    }
)  # fmt: skip
"""Attribute names refused on every object, static or computed."""

ALLOWED_DUNDER_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "__name__", "__qualname__", "__doc__", "__version__", "__members__",
        "__slots__", "__match_args__", "__cause__", "__context__",
        "__init__", "__new__", "__init_subclass__", "__post_init__", "__call__",
        "__repr__", "__str__", "__bytes__", "__hash__", "__bool__", "__len__",
        "__iter__", "__next__", "__reversed__", "__contains__",
        "__getitem__", "__setitem__", "__delitem__", "__missing__", "__enter__", "__exit__",
        "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
        "__add__", "__sub__", "__truediv__", "__floordiv__", "__divmod__",
        "__neg__", "__pos__", "__abs__", "__invert__", "__round__", "__floor__", "__ceil__",
        "__and__", "__or__", "__xor__", "__radd__", "__rsub__", "__rtruediv__",
        "__rfloordiv__", "__isub__", "__int__", "__float__",
        "__index__", "__complex__", "__copy__", "__deepcopy__",
    }
)  # fmt: skip
"""Dunder attributes model code may read: names and harmless methods bound to their object.

Methods whose operator is guarded against huge results (`__mul__`, `__pow__`, `__lshift__`,
`__mod__`, `__format__`) are absent, so the guard cannot be bypassed by calling them by name."""

DEFINABLE_DUNDERS: frozenset[str] = ALLOWED_DUNDER_ATTRIBUTES | frozenset(
    {
        "__annotations__", "__classcell__", "__orig_bases__", "__dataclass_fields__", "__dataclass_params__",
        "__getattr__", "__setattr__", "__delattr__", "__get__", "__set__", "__delete__",
        "__format__", "__sizeof__", "__length_hint__", "__trunc__",
        "__mul__", "__rmul__", "__mod__", "__rmod__", "__pow__", "__rpow__", "__lshift__", "__rlshift__",
        "__rshift__", "__rrshift__", "__matmul__", "__rmatmul__", "__rand__", "__ror__", "__rxor__",
        "__rdivmod__", "__iadd__", "__isub__", "__imul__", "__imatmul__", "__itruediv__",
        "__ifloordiv__", "__imod__", "__ipow__", "__ilshift__", "__irshift__", "__iand__", "__ixor__",
        "__ior__",
    }
)  # fmt: skip
"""Dunder names a class the code defines may hold: its own behaviour (operators, containers,
context managers, comparisons, hashing); never a protocol other code reads off objects
(`__array_interface__`, `__fspath__`, `__reduce__`...) nor a hook the host calls later."""

ALLOWED_PRIVATE_ATTRIBUTES: frozenset[str] = frozenset(
    {"_asdict", "_fields", "_field_defaults", "_make", "_replace", "_name_", "_value_", "_missing_"}
)
"""Single-underscore names that are public API (namedtuple, Enum) and allowed on any object."""

FORBIDDEN_METHOD_DEFINITIONS: frozenset[str] = frozenset(
    {
        "__del__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__",
        "__getnewargs__", "__getnewargs_ex__", "__class_getitem__", "__set_name__",
        "__getattribute__", "__instancecheck__", "__subclasscheck__", "__subclasshook__",
    }
)  # fmt: skip
"""Dunder methods model code may not define: hooks the host would call later, outside any limit."""

PROTECTED_BUILTIN_NAMES: frozenset[str] = frozenset(
    {
        "print", "isinstance", "range", "float", "int", "bool", "str", "set", "list", "dict", "tuple",
        "round", "ceil", "floor", "log", "exp", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
        "degrees", "radians", "pow", "sqrt", "len", "sum", "max", "min", "abs", "enumerate", "zip",
        "reversed", "sorted", "all", "any", "map", "filter", "ord", "chr", "next", "iter", "divmod",
        "callable", "getattr", "hasattr", "setattr", "issubclass", "type", "complex",
    }
)  # fmt: skip
"""Names the agent and later steps rely on (1.26's BASE_PYTHON_TOOLS): no binding form may rebind
them outside a class body or a parameter list, as for tools."""


CODE_FILENAME = "<smolagents code>"
"""Filename given to compiled model code: marks functions the model code defined."""


@dataclass(frozen=True)
class Limits:
    """Size limits applied to single operations that native Python would run without a check.

    Attributes:
        max_sequence_length: Longest str/bytes/list/tuple one operation may build.
        max_int_bits: Largest integer (in bits) one arithmetic operation may build.
        max_format_width: Largest width or precision in a format specification.
        max_factorial: Largest argument of `math.factorial` (and size bound of comb/perm).
        max_source_length: Longest source accepted, in characters.
        max_nesting_depth: Deepest syntax tree accepted before compiling.
        max_print_length: Characters of print output after which the code is stopped.
    """

    max_sequence_length: int = 20_000_000
    max_int_bits: int = 1_000_000
    max_format_width: int = 1_000_000
    max_factorial: int = 50_000
    max_source_length: int = 1_000_000
    max_nesting_depth: int = 100
    max_print_length: int = 5_000_000


LIMITS = Limits()
