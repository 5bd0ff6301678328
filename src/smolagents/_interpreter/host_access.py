"""Host permissions: nothing on the host unless granted, whichever library model code goes through.

One process-wide PEP 578 audit hook sees the host effects CPython reports (files, directories,
processes, sockets, native libraries, ctypes, code compiled at run time, unpickling, sqlite). An
effect belongs to model code when the innermost frame of model code on the stack is reached
before any *host boundary* (a tool call, the import guard, the import machinery): so a library
called by model code is checked, a tool called by model code is not, and a model-defined
function called later by the host (rendering an output) is checked again. The grants of the
executor that compiled the code sit in that frame's builtins.

Effects that raise no audit event are covered elsewhere: the environment (`environment.py`),
libraries that open files in C (`c_openers.py`).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any

from . import names
from .errors import HostAccessDenied
from .tables import CODE_FILENAME

__all__ = [
    "HostPermissions",
    "enable_audit_hook",
    "host_boundary",
    "is_host_boundary",
    "model_permissions",
    "sqlite_authorizer",
]

_GRANT_HINT = (
    "pass {parameter}=[{path!r}] (or a folder holding it) to LocalPythonExecutor "
    "(CodeAgent: executor_kwargs={{{parameter!r}: [...]}}) to let code {verb} it"
)


@dataclass
class HostPermissions:
    """What model code run by one executor may do on the host.

    Attributes:
        read: Resolved folders and files the code may read (and list).
        write: Resolved folders and files the code may create, change or delete (and read back).
        net: Whether the code may open network sockets.
        library_roots: Resolved folders of installed code the libraries may read (their own files).
    """

    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    net: bool = False
    library_roots: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, read: Iterable[Any], write: Iterable[Any], net: bool) -> HostPermissions:
        """Resolve the granted paths (relative ones against the working directory, symlinks followed)."""
        return cls(
            tuple(map(resolve_path, read)), tuple(map(resolve_path, write)), bool(net), set(_LIBRARY_ROOTS)
        )

    def add_library(self, path: str | None) -> None:
        """Let libraries read the files of an installed package the code imported."""
        if path:
            self.library_roots.add(os.path.realpath(os.path.dirname(path)))

    def check_read(self, path: Any, what: str = "reading") -> None:
        """Refuse reading `path` unless a read grant (or a library folder) covers it."""
        resolved = _resolved_or_refused(path, what)
        _refuse_process_secrets(resolved, what)
        if _under(resolved, self.read) or _under(
            resolved, self.write
        ):  # what the code may write, it may read back
            return
        if _under(resolved, self.library_roots) and not _is_private(resolved):
            return
        if resolved in _DEVICES:
            return
        raise HostAccessDenied(f"{what} {resolved} is not allowed: " + _hint("allow_read", resolved, "read"))

    def check_write(self, path: Any, what: str = "writing") -> None:
        """Refuse changing `path` unless a write grant covers it."""
        resolved = _resolved_or_refused(path, what)
        _refuse_process_secrets(resolved, what)
        if resolved.endswith(_CODE_SUFFIXES):
            raise HostAccessDenied(
                f"{what} {resolved} is not allowed: files that Python could import as code cannot be written "
                "by model code."
            )
        if _under(resolved, self.write) or resolved == os.devnull:
            return
        raise HostAccessDenied(
            f"{what} {resolved} is not allowed: " + _hint("allow_write", resolved, "write")
        )


_PROCESS_SECRETS = frozenset({"environ", "mem", "cmdline", "auxv", "maps", "smaps", "stack", "syscall"})


def _refuse_process_secrets(resolved: str, what: str) -> None:
    # /proc/<pid>/environ holds the environment (API keys), mem the process's memory: no grant opens them.
    parts = resolved.split(os.sep)
    if len(parts) >= 4 and parts[1] == "proc" and parts[-1] in _PROCESS_SECRETS:
        raise HostAccessDenied(
            f"{what} {resolved} is not allowed from model code: it exposes the environment or memory of a "
            "process, which no grant opens."
        )


def _hint(parameter: str, path: str, verb: str) -> str:
    return _GRANT_HINT.format(parameter=parameter, path=path, verb=verb) + "."


def resolve_path(path: Any) -> str:
    """Return `path` absolute (against the working directory), with symlinks and `..` resolved."""
    text = os.fsdecode(os.fspath(path))
    return os.path.realpath(os.path.join(os.getcwd(), text))


def _resolved_or_refused(path: Any, what: str) -> str:
    if isinstance(path, int) and not isinstance(path, bool):
        raise HostAccessDenied(
            f"{what} file descriptor {path} is not allowed: open files by their path, within the granted folders."
        )
    try:
        return resolve_path(path)
    except (TypeError, ValueError) as error:
        raise HostAccessDenied(f"{what} {path!r} is not allowed: {error}") from None


def _under(path: str, roots: Iterable[str]) -> bool:
    for root in roots:
        if path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep):
            return True
    return False


def _is_private(path: str) -> bool:
    # Process and environment files are never library data, whatever folder holds them.
    return path.startswith("/proc/") or os.path.basename(path) in {".env", ".netrc", ".pypirc"}


def _library_roots() -> frozenset[str]:
    found = set()
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            found.add(os.path.realpath(paths[key]))
    for folder in ("/usr/share/zoneinfo", "/usr/lib/python3/dist-packages"):
        if os.path.isdir(folder):
            found.add(os.path.realpath(folder))
    return frozenset(found)


_LIBRARY_ROOTS = _library_roots()
_DEVICES = frozenset({os.devnull, "/dev/urandom", "/dev/random"})
_CODE_SUFFIXES = (".py", ".pyc", ".pyo", ".pyd", ".so", ".pth", ".dylib", ".dll")


# -- which code is running -------------------------------------------------------------------------
_BOUNDARIES: set[CodeType] = set()


def host_boundary(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark `function` as the host's: effects below its frame are not model code's (tool calls, imports)."""
    _BOUNDARIES.add(function.__code__)
    return function


def is_host_boundary(code: CodeType) -> bool:
    """Return whether `code` belongs to a function marked with `host_boundary`."""
    return code in _BOUNDARIES


def model_permissions(frame: FrameType | None) -> HostPermissions | None:
    """Return the grants of the innermost model code on the stack from `frame`, or None (host code)."""
    while frame is not None:
        code = frame.f_code
        if code in _BOUNDARIES:
            return None
        if code.co_filename == CODE_FILENAME:
            found = frame.f_builtins.get(names.PERMISSIONS)
            return found if isinstance(found, HostPermissions) else _NOTHING
        frame = frame.f_back
    return None


_NOTHING = HostPermissions()


# -- the audit hook -----------------------------------------------------------------------------------
_local = threading.local()
_allowed_foreign_calls: set[int] = set()  # addresses of C functions our own guards call through ctypes


def allow_foreign_calls(addresses: Iterable[int]) -> None:
    """Let model-scope code reach these C functions through ctypes (the numpy allocator's own)."""
    _allowed_foreign_calls.update(addresses)


def _refuse(what: str, how: str = "") -> HostAccessDenied:
    return HostAccessDenied(f"{what} is not allowed from model code{': ' + how if how else ''}.")


def _on_open(grants: HostPermissions, args: tuple[Any, ...]) -> None:
    path, mode, flags = (*args, None, None)[:3]
    if isinstance(mode, str):
        writes = any(letter in mode for letter in "wax+")
        reads = "r" in mode or "+" in mode
    else:
        access = (flags or 0) & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
        writes = access != os.O_RDONLY or bool((flags or 0) & (os.O_CREAT | os.O_TRUNC | os.O_APPEND))
        reads = access in (os.O_RDONLY, os.O_RDWR)
    if reads:
        grants.check_read(path)
    if writes:
        grants.check_write(path)


def _reads(*positions: int) -> Callable[[HostPermissions, tuple[Any, ...]], None]:
    def check(grants: HostPermissions, args: tuple[Any, ...]) -> None:
        for position in positions:
            if position < len(args):
                grants.check_read("." if args[position] is None else args[position], "listing")

    return check


def _writes(*positions: int, dir_fd: int | None = None) -> Callable[[HostPermissions, tuple[Any, ...]], None]:
    def check(grants: HostPermissions, args: tuple[Any, ...]) -> None:
        if dir_fd is not None and dir_fd < len(args) and args[dir_fd] not in (None, -1):
            raise _refuse("Paths relative to a directory descriptor (dir_fd)", "use plain paths")
        for position in positions:
            if position < len(args) and args[position] is not None:
                grants.check_write(args[position], "changing")

    return check


def _never(what: str, how: str) -> Callable[[HostPermissions, tuple[Any, ...]], None]:
    def check(grants: HostPermissions, args: tuple[Any, ...]) -> None:
        raise _refuse(what, how)

    return check


def _network(grants: HostPermissions, args: tuple[Any, ...]) -> None:
    if not grants.net:
        raise _refuse(
            "Network access",
            "create the executor with allow_net=True (CodeAgent: executor_kwargs={'allow_net': True}), or give "
            "the agent a tool that fetches what it needs",
        )
    for arg in args:
        if isinstance(arg, (str, bytes)) and str(arg).startswith("/"):  # an AF_UNIX address: a local service
            raise _refuse("Connecting to local sockets", "only network addresses are granted by allow_net")


def _mmap(grants: HostPermissions, args: tuple[Any, ...]) -> None:
    if args and args[0] == -1:  # anonymous memory outside the memory allowance
        raise _refuse("Anonymous memory maps", "use ordinary Python or numpy objects")


def _sqlite_connect(grants: HostPermissions, args: tuple[Any, ...]) -> None:
    database = args[0] if args else ":memory:"
    text = os.fsdecode(os.fspath(database)) if not isinstance(database, int) else str(database)
    if text in (":memory:", "") or text.startswith("file::memory:"):
        return
    read_only = False
    if text.startswith("file:"):
        text, _, query = text[5:].partition("?")
        read_only = "mode=ro" in query
    grants.check_read(text, "opening database")
    if not read_only:
        grants.check_write(text, "opening database")


_SQLITE_OK, _SQLITE_DENY, _SQLITE_ATTACH = 0, 1, 24  # sqlite3's authorizer constants (stable C API)


def sqlite_authorizer(grants: HostPermissions) -> Callable[..., int]:
    """Return a sqlite3 authorizer refusing ATTACH of database files `grants` does not cover."""

    def authorize(action: int, first: Any, second: Any, database: Any, source: Any) -> int:
        # ATTACH opens another database file in C (VACUUM INTO too): the same rules as open().
        if action == _SQLITE_ATTACH and first not in (None, "", ":memory:"):
            try:
                grants.check_read(first, "attaching database")
                grants.check_write(first, "attaching database")
            except HostAccessDenied:
                return _SQLITE_DENY
        return _SQLITE_OK

    return authorize


_COMPILING_MODULES = frozenset({"dataclasses", "collections"})
"""Standard-library modules whose run-time code generation model code may use (checked inputs)."""


def _literal_eval_code() -> CodeType | None:
    import ast

    return getattr(ast.literal_eval, "__code__", None)


_LITERAL_EVAL = _literal_eval_code()  # parses literals only: numpy's .npy headers, config values


def _inside(frame: FrameType | None, code: CodeType | None, depth: int = 4) -> bool:
    while frame is not None and depth > 0:
        if frame.f_code is code:
            return True
        frame, depth = frame.f_back, depth - 1
    return False


def _compile(grants: HostPermissions, args: tuple[Any, ...]) -> None:
    caller: FrameType | None = sys._getframe(3)  # _hook -> _dispatch -> this; its caller compiled
    module = caller.f_globals.get("__name__") if caller is not None else None
    if module in _COMPILING_MODULES or _inside(caller, _LITERAL_EVAL):
        return
    while caller is not None and caller.f_globals.get("__name__") in ("ast", "codeop", "typing"):
        caller = caller.f_back  # name the library that asked, not the helper that compiled
    module = caller.f_globals.get("__name__") if caller is not None else module
    raise _refuse(
        f"Compiling or evaluating code at run time ({module or 'unknown module'})",
        "libraries that evaluate strings as code (pandas eval/query, templates) cannot run on the model's behalf",
    )


def _ctypes(grants: HostPermissions, args: tuple[Any, ...]) -> None:
    raise _refuse("ctypes and native libraries", "they reach the process's memory directly")


def _foreign_call(grants: HostPermissions, args: tuple[Any, ...]) -> None:
    if not (args and args[0] in _allowed_foreign_calls):
        _ctypes(grants, args)


_PROCESSES = _never("Starting or signalling processes", "run commands in a tool the user provides")
_ENVIRONMENT = _never("Changing the environment", "environment variables are the host's")
_WHOLE_PROCESS = _never("Changing process-wide settings", "they would affect the host")
_HOST_OBJECTS = _never("Walking the garbage collector", "it reaches the host's objects")
_UNPICKLING = _never(
    "Unpickling", "it runs code chosen by the data; use JSON, CSV or numpy arrays without pickle"
)

EVENT_RULES: dict[str, Callable[[HostPermissions, tuple[Any, ...]], None]] = {
    "open": _on_open,
    "os.listdir": _reads(0),
    "os.scandir": _reads(0),
    "os.getxattr": _reads(0),
    "os.listxattr": _reads(0),
    "os.mkdir": _writes(0, dir_fd=2),
    "os.remove": _writes(0, dir_fd=1),
    "os.rmdir": _writes(0, dir_fd=1),
    "os.rename": _writes(0, 1, dir_fd=2),
    "os.link": _writes(0, 1, dir_fd=2),
    "os.symlink": _writes(0, 1, dir_fd=2),
    "os.truncate": _writes(0),
    "os.chmod": _writes(0, dir_fd=2),
    "os.chown": _writes(0, dir_fd=3),
    "os.utime": _writes(0, dir_fd=3),
    "os.chflags": _writes(0),
    "os.lchflags": _writes(0),
    "os.setxattr": _writes(0),
    "os.removexattr": _writes(0),
    "os.mkfifo": _writes(0, dir_fd=2),
    "os.mknod": _writes(0, dir_fd=3),
    "shutil.copyfile": _writes(1),
    "shutil.copymode": _writes(1),
    "shutil.copystat": _writes(1),
    "shutil.copytree": _writes(1),
    "shutil.rmtree": _writes(0),
    "shutil.move": _writes(0, 1),
    "shutil.chown": _writes(0),
    "shutil.make_archive": _writes(0),
    "shutil.unpack_archive": _writes(1),
    "tempfile.mkstemp": _writes(0),
    "tempfile.mkdtemp": _writes(0),
    "os.chdir": _never("Changing the working directory", "it is the host's; use paths instead"),
    "os.chroot": _WHOLE_PROCESS,
    "os.system": _PROCESSES,
    "os.exec": _PROCESSES,
    "os.posix_spawn": _PROCESSES,
    "os.spawn": _PROCESSES,
    "os.fork": _PROCESSES,
    "os.forkpty": _PROCESSES,
    "os.kill": _PROCESSES,
    "os.killpg": _PROCESSES,
    "os.startfile": _PROCESSES,
    "pty.spawn": _PROCESSES,
    "subprocess.Popen": _PROCESSES,
    "signal.pthread_kill": _PROCESSES,
    "webbrowser.open": _PROCESSES,
    "os.putenv": _ENVIRONMENT,
    "os.unsetenv": _ENVIRONMENT,
    "resource.setrlimit": _WHOLE_PROCESS,
    "resource.prlimit": _WHOLE_PROCESS,
    "sys.settrace": _WHOLE_PROCESS,
    "sys.setprofile": _WHOLE_PROCESS,
    "sys.addaudithook": _WHOLE_PROCESS,
    "sys._current_frames": _HOST_OBJECTS,
    "gc.get_objects": _HOST_OBJECTS,
    "gc.get_referrers": _HOST_OBJECTS,
    "gc.get_referents": _HOST_OBJECTS,
    "builtins.input": _never("Reading the terminal", "the code runs without a user at a keyboard"),
    "builtins.breakpoint": _never("Starting a debugger", "the code runs without a user at a keyboard"),
    "code.__new__": _never("Building code objects", "write the code itself"),
    "compile": _compile,
    "exec": _compile,
    "marshal.loads": _UNPICKLING,
    "marshal.load": _UNPICKLING,
    "pickle.find_class": _UNPICKLING,
    "mmap.__new__": _mmap,
    "sqlite3.connect": _sqlite_connect,
    "sqlite3.enable_load_extension": _ctypes,
    "sqlite3.load_extension": _ctypes,
    "ctypes.call_function": _foreign_call,
    "syslog.openlog": _WHOLE_PROCESS,
    "syslog.syslog": _WHOLE_PROCESS,
    "socket.sethostname": _WHOLE_PROCESS,
}
"""Audit events and the check each gets when model code causes it (others pass)."""

_NETWORK_EVENTS = (
    "socket.__new__", "socket.bind", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
    "socket.gethostbyaddr", "socket.getnameinfo", "socket.getservbyname", "socket.getservbyport",
    "socket.sendmsg", "socket.sendto", "http.client.connect", "ftplib.connect", "imaplib.open",
    "nntplib.connect", "poplib.connect", "smtplib.connect", "telnetlib.Telnet.open", "urllib.Request",
)  # fmt: skip
EVENT_RULES.update(dict.fromkeys(_NETWORK_EVENTS, _network))


def _hook(event: str, args: tuple[Any, ...]) -> None:
    rule = EVENT_RULES.get(event)
    if rule is None and not event.startswith("ctypes."):
        return
    if getattr(_local, "busy", False):  # an event raised by this hook's own work
        return
    _dispatch(rule or _ctypes, args)


def _dispatch(rule: Callable[[HostPermissions, tuple[Any, ...]], None], args: tuple[Any, ...]) -> None:
    _local.busy = True
    try:
        grants = model_permissions(sys._getframe(2))
        if grants is not None:
            rule(grants, args)
    finally:
        _local.busy = False


_installed = False
_installing = threading.Lock()


def enable_audit_hook() -> None:
    """Install the process-wide hook once (audit hooks cannot be removed; it costs a dict lookup per event)."""
    global _installed
    with _installing:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True
