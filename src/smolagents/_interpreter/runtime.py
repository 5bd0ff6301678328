"""One executor's notebook: its globals, builtins, budget and print buffer, and running code in them."""

from __future__ import annotations

import operator
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress
from types import CodeType
from typing import Any

from . import names
from .arrays import checked_imatmul, checked_matmul, size_text
from .budget import Budget
from .builtins import BASE_BUILTINS
from .code_thread import CodeThread, stack_bytes_for
from .compiler import compile_checked
from .context import use_budget
from .environment import scrub_environment_for_model_code
from .errors import (
    BudgetExceededSignal,
    ExecutionTimeoutError,
    FinalAnswerSignal,
    InterpreterError,
    RefusedError,
)
from .formatting import check_rendering, checked_render, guarded_format_value, guarded_mod, guarded_str_call
from .guards import (
    AttributeSlot,
    check_store,
    checked_annotation,
    checked_match_subject,
    guarded_super,
    load_attribute,
    store_attribute,
)
from .host_access import HostPermissions, enable_audit_hook, host_boundary
from .limits import (
    STRING_METHODS,
    call_method,
    guarded_add,
    guarded_chain_sum,
    guarded_iadd,
    guarded_ilshift,
    guarded_imul,
    guarded_ipow,
    guarded_lshift,
    guarded_mul,
    guarded_pow,
)
from .messages import model_traceback, well_known
from .modules import ImportPolicy
from .names import RESERVED_PREFIX
from .node_count import NodeTally
from .numpy_memory import bounded_numpy_allocations, restore_numpy_allocations
from .plain import plain_arguments
from .rewrite_nodes import source_line
from .tables import LIMITS
from .watchdog import AsyncStop, clear_pending_stop, unwatch, watch

__all__ = ["RunResult", "Runtime"]

_IN_PLACE: dict[str, Any] = {
    name: getattr(operator, name)
    for name in ("iadd", "isub", "imatmul", "itruediv", "ifloordiv", "imod", "irshift", "ior", "ixor", "iand")
}
_IN_PLACE.update(
    {
        "iadd": guarded_iadd,
        "imul": guarded_imul,
        "ipow": guarded_ipow,
        "ilshift": guarded_ilshift,
        "imatmul": checked_imatmul,
    }
)


def _augmented_attribute(obj: Any, name: str, value: Any, operation: str) -> None:
    result = _IN_PLACE[operation](load_attribute(obj, name), value)
    check_store(obj, name)
    setattr(obj, name, result)


def _augmented_item(container: Any, key: Any, value: Any, operation: str) -> None:
    container[key] = _IN_PLACE[operation](container[key], value)


def _exception_filter(spec: Any) -> Any:
    # What an `except` clause may catch: Exception subclasses only (see transform.py).
    if isinstance(spec, type):
        return spec if issubclass(spec, Exception) else ()
    if isinstance(spec, tuple):
        return tuple(
            kind for kind in spec if not (isinstance(kind, type) and not issubclass(kind, Exception))
        )
    return spec


def _finally_exit() -> None:
    # Called before return/break/continue inside `finally`: keep control signals in flight.
    in_flight = sys.exc_info()[1]
    if in_flight is not None and not isinstance(in_flight, Exception):
        raise in_flight


def _raisable(value: Any) -> Any:
    kind = value if isinstance(value, type) else type(value)
    if isinstance(kind, type) and issubclass(kind, BaseException) and not issubclass(kind, Exception):
        raise RefusedError(f"Raising {kind.__name__} is not allowed; raise an Exception subclass.")
    return value


_INT_BOUND = 1 << 64  # products of two such ints are far below the integer-size limit


def _keep_source(source: str) -> Any:
    def keep(function: Any) -> Any:
        try:
            function.__source__ = source
        except (AttributeError, TypeError):  # a decorator returned something that takes no attributes
            pass
        return function

    return keep


_STATIC_GUARDS: dict[str, Any] = {
    **{names.in_place(name): function for name, function in _IN_PLACE.items()},
    names.COMPRESS: compress,
    names.GETATTR: load_attribute,
    names.SETATTR: store_attribute,
    names.SLOT: AttributeSlot,
    names.AUGATTR: _augmented_attribute,
    names.AUGITEM: _augmented_item,
    names.CALL_METHOD: call_method,
    names.STRING_METHODS: STRING_METHODS,
    names.IS_OWNED: getattr,
    names.ADD: guarded_add,
    names.SUM: guarded_chain_sum,
    names.MUL: guarded_mul,
    names.POW: guarded_pow,
    names.LSHIFT: guarded_lshift,
    names.MOD: guarded_mod,
    names.MATMUL: checked_matmul,
    names.TYPE: type,
    names.LEN: len,
    names.INTS_AND_FLOATS: frozenset({int, float}),
    names.INT: int,
    names.FLOAT: float,
    names.STR: str,
    names.NATIVE_ADDENDS: frozenset({int, float, complex, bool}),
    names.SHORT_SEQUENCES: frozenset({str, list, tuple, bytes}),
    names.PLAIN_RENDERS: frozenset({int, float, complex, bool, type(None)}),
    names.CONTAINERS: frozenset({list, tuple, set, frozenset, dict}),
    names.INT_BOUND: _INT_BOUND,
    names.INT_LOW: -_INT_BOUND,
    names.FORMAT_VALUE: guarded_format_value,
    names.RENDER: checked_render,
    names.STR_CALL: guarded_str_call,
    names.MATCH: checked_match_subject,
    names.EXCEPTION_FILTER: _exception_filter,
    names.RAISE: _raisable,
    names.FINALLY_EXIT: _finally_exit,
    names.ANNOTATION: checked_annotation,
    names.EXCEPTION: Exception,
    names.SUPER: guarded_super,
    names.KEEP_SOURCE: _keep_source,
}
_SHARED_BUILTINS = {**BASE_BUILTINS, **_STATIC_GUARDS}
_TRUNCATION_NOTE = "\n..._This content has been truncated to stay below {limit} characters_...\n"


@dataclass
class RunResult:
    """What one run of code produced (the public front turns it into `CodeOutput`)."""

    output: Any
    logs: str
    is_final_answer: bool


def _wrap_callable(name: str, target: Any, runtime: Runtime) -> Any:
    # A plain function over a closure: model code cannot reach `target` (no dunder access), so a
    # Tool object, its class, module and `forward` globals stay out of reach.
    def call(*args: Any, **kwargs: Any) -> Any:
        if runtime._has_final_answer and runtime.budget.is_running:
            raise FinalAnswerSignal()  # no tool runs after the final answer, even if its end was swallowed
        # Model subclasses of str/dict/... must not reach the tool, which runs on the caller's thread.
        args, kwargs = plain_arguments(args, kwargs)
        return runtime.thread.call_back(target, args, kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = getattr(target, "description", None) or getattr(target, "__doc__", None)
    return call


_DUNDER_TOOL_NAMES = frozenset({"__import__"})
"""Dunder names a tool may have (1.26 users give `__import__` as a tool); never module attributes
such as `__builtins__` or `__name__`, which would change how the code runs."""


def _check_identifier(name: Any, what: str, dunder_ok: bool = False) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{what} name {name!r} is not a valid Python identifier; rename it.")
    if name.startswith(RESERVED_PREFIX) or (name.startswith("__") and name.endswith("__") and not dunder_ok):
        raise ValueError(
            f"{what} name {name!r} is reserved (dunder or {RESERVED_PREFIX!r} prefix); rename it."
        )
    return name


class Runtime:
    """Globals, builtins, budget and print buffer of one executor; `run` executes checked code.

    Args:
        authorized_imports: Module names the code may import (`"pkg.*"` and `"*"` wildcards).
        max_print_outputs_length: Characters of print output kept in `logs`.
        timeout_seconds: Wall-clock limit of one run (None: no limit).
        max_operations: Loop iterations plus function calls allowed in one run.
        max_memory_bytes: Growth of peak memory allowed in one run (None: unchecked).
        permissions: What the code may do on the host (files, network); nothing by default.
    """

    def __init__(
        self,
        authorized_imports: Iterable[str],
        max_print_outputs_length: int,
        timeout_seconds: float | None,
        max_operations: int,
        max_memory_bytes: int | None,
        permissions: HostPermissions | None = None,
    ) -> None:
        enable_audit_hook()
        scrub_environment_for_model_code()
        self.permissions = permissions or HostPermissions.build((), (), net=False)
        self.budget = Budget(timeout_seconds, max_operations, max_memory_bytes)
        self.thread = CodeThread(stack_bytes_for(max_memory_bytes), self.budget.interrupt)
        self.imports = ImportPolicy(
            authorized_imports, on_numpy=self._bound_numpy, on_import=self.permissions.add_library
        )
        self._allocator: Any = None  # numpy's allocator before ours, while ours is installed
        self.max_print_outputs_length = max_print_outputs_length
        self.builtins: dict[str, Any] = dict(_SHARED_BUILTINS)
        self.imports.runtime_builtins = self.builtins
        self.tally = NodeTally()  # 1.26's operation count, for evaluate_python_code
        self.builtins[names.COUNT] = self.tally.count
        self.builtins[names.WHILE] = self.tally.count_while
        self.builtins.update(
            {
                "__name__": "__main__",
                "print": self._print,
                "final_answer": self._make_final_answer(lambda answer: answer),
                names.IMPORT: self.imports.import_name,
                names.IMPORT_FROM: self.imports.import_from,
                names.IMPORT_STAR: self._import_star,
                names.RESULT: self._result,
                names.TICK: self.budget.tick,
                names.TICKER: self.budget.ticker,
                names.PERMISSIONS: self.permissions,  # read by the audit hook from model frames
            }
        )
        # The guards also sit in the globals: module-level code finds them with one lookup.
        self.globals: dict[str, Any] = {
            "__builtins__": self.builtins,
            "__name__": "__main__",
            **{name: value for name, value in self.builtins.items() if name.startswith(RESERVED_PREFIX)},
        }
        self._hidden_names = frozenset(
            {*self.globals, names.VALUE, names.WALRUS, names.WALRUS_RIGHT} - {"__name__"}
        )
        self.protected: frozenset[str] = frozenset({"final_answer"})
        self.state: dict[str, Any] = {"__name__": "__main__"}
        self._printed: list[str] = []
        self._printed_length = 0
        self._output: Any = None
        self._final_answer: Any = None
        self._has_final_answer = False

    def __del__(self) -> None:
        # The notebook's values are freed on the code thread, where they were built (see CodeThread.free).
        try:
            values = list(self.globals.values())
            self.globals.clear()
            self.thread.free(values)
        except Exception:  # interpreter shutdown: nothing left to protect
            pass

    # -- what the code is given -----------------------------------------------------------------
    def _make_final_answer(self, tool: Any) -> Any:
        def final_answer(*args: Any, **kwargs: Any) -> Any:
            if not self.budget.is_running:
                raise InterpreterError("final_answer can only be called while the code runs.")
            if self._has_final_answer:  # the first answer stands, even if the code swallowed its end
                raise FinalAnswerSignal()
            args, kwargs = plain_arguments(args, kwargs)
            value = self.thread.call_back(tool, args, kwargs)
            self.budget.halt()
            self._final_answer = value
            self._has_final_answer = True
            raise FinalAnswerSignal()

        return final_answer

    def provide(self, callables: dict[str, Any], *, what: str) -> None:
        """Make `callables` (tools or functions) available by name; the code cannot rebind them."""
        names = set()
        for name, target in callables.items():
            _check_identifier(name, what, dunder_ok=name in _DUNDER_TOOL_NAMES)
            if name == "final_answer":
                self.builtins[name] = self._make_final_answer(target)
            else:
                self.builtins[name] = (
                    target if isinstance(target, type) else _wrap_callable(name, target, self)
                )
            # `os.popen` / `builtins.exec` read from a module serve the tool the user gave (1.26).
            self.imports.provided_by_id[id(target)] = self.builtins[name]
            self.globals.pop(name, None)  # a provided name wins over a variable of the notebook
            names.add(name)
        self.protected = self.protected | names

    def set_variables(self, variables: dict[str, Any]) -> None:
        """Add `variables` to the notebook's globals."""
        for name in variables:
            _check_identifier(name, "Variable")
            if name in self.protected:
                raise ValueError(f"Variable name {name!r} is already a tool or provided function; rename it.")
        self.globals.update(variables)
        self._refresh_state()

    # -- running ------------------------------------------------------------------------------------
    def run(self, source: str, node_limit: int | None = None, while_limit: int | None = None) -> RunResult:
        """Check, compile and run `source` in this notebook; failures raise `InterpreterError`.

        Args:
            source: The code.
            node_limit: Count evaluated syntax nodes in `node_operations` and stop past this many
                (1.26's operation count, for `evaluate_python_code`); None: not counted.
            while_limit: With `node_limit`: iterations allowed per `while` loop (1.26's limit).
        """
        if not isinstance(source, str):
            raise TypeError(f"code must be a string, not {type(source).__name__}")
        self.tally.node_limit, self.tally.while_limit = node_limit, while_limit
        code, inert = compile_checked(source, self.protected, node_limit is not None)
        if inert:  # nothing in it can recurse in C: skip the hop to the code thread
            return self._execute(code, source)
        previous = use_budget(self.budget)  # calls served back on this thread count against the run
        try:
            return self.thread.run(lambda: self._execute(code, source, watched=self.thread.is_code_thread()))
        finally:
            use_budget(previous)

    def _execute(self, code: CodeType, source: str, watched: bool = False) -> RunResult:
        self._printed = []
        self._printed_length = 0
        self._output = None
        self._has_final_answer = False
        budget = self.budget
        previous = use_budget(budget)
        budget.start()
        self._bound_numpy()
        self.builtins[names.TICK] = self.globals[names.TICK] = budget.tick
        self.builtins[names.TICKER] = self.globals[names.TICKER] = budget.ticker
        raised = self._run_watched(code) if watched else self._run(code)
        budget.stop()
        if self._allocator is not None:
            restore_numpy_allocations(self._allocator)
            self._allocator = None
        use_budget(previous)
        self._refresh_state()
        error: InterpreterError | None = None
        if isinstance(raised, (FinalAnswerSignal, BudgetExceededSignal)):
            if not self._has_final_answer:
                error = self._error(raised, source)
        elif isinstance(raised, KeyboardInterrupt):
            raise raised  # only the host can raise it (model code sees a look-alike Exception subclass)
        elif raised is not None:
            error = self._error(raised, source)
        logs = self._logs()
        if self._has_final_answer:
            return RunResult(self._final_answer, logs, True)
        if error is not None:
            error.logs = logs
            raise error
        return RunResult(self._output, logs, False)

    @host_boundary  # events below this frame, before any model frame, are the executor's own
    def _run(self, code: CodeType) -> BaseException | None:
        try:
            exec(code, self.globals)
        except BaseException as raised:  # classified by the caller, after the run's cleanup
            return raised
        return None

    def _run_watched(self, code: CodeType) -> BaseException | None:
        # On the code thread the watchdog may raise AsyncStop at any bytecode until `unwatch`
        # returns; after that none comes, except one already pending, which is dropped here.
        raised: BaseException | None = None
        ran = False
        while True:
            try:
                if not ran:
                    ran = True
                    watch(self.budget)
                    raised = self._run(code)
                stopped = unwatch()
                clear_pending_stop()
                if stopped and raised is None:  # stopped while finishing: the budget says why
                    raised = AsyncStop()
                if isinstance(raised, AsyncStop):
                    raised.reason = self.budget.exceeded or raised.reason
                return raised
            except AsyncStop as late:
                raised = raised or late

    def _bound_numpy(self) -> None:
        # From the start of a run, or when the code first imports numpy: every numpy allocation
        # the code makes then asks this run's budget first (see numpy_memory.py).
        if self._allocator is None and self.budget.is_running:
            self._allocator = bounded_numpy_allocations()

    def _error(self, raised: BaseException, source: str) -> InterpreterError:
        entry = model_traceback(raised.__traceback__)
        lineno = entry.tb_lineno if entry is not None else None
        # 1.26's words lead ("Code execution failed at line '<code>' due to: ..."); the number follows.
        where = f"line '{source_line(source, lineno)}' (line {lineno})" if lineno else "an unknown line"
        if isinstance(raised, BudgetExceededSignal):
            error: InterpreterError = ExecutionTimeoutError(f"{raised.reason} (stopped at {where}).")
        elif isinstance(raised, InterpreterError):
            error = type(raised)(f"Code execution failed at {where}: {raised.message}")
        elif isinstance(raised, MemoryError) and self.budget.refused_allocation is not None:
            error = RefusedError(
                f"Code execution failed at {where}: {_refused_allocation(raised, self.budget)}"
            )
        else:
            text = _text(raised)
            error = InterpreterError(
                f"Code execution failed at {where} due to: {well_known(raised, text, source_line(source, lineno))}{type(raised).__name__}: {text}"
            )
        error.lineno = lineno
        error.__cause__ = raised
        return error

    def _refresh_state(self) -> None:
        # The notebook's variables and `__name__` (1.26's state shows it); never the interpreter's names.
        hidden = self._hidden_names
        self.state.clear()
        self.state.update({name: value for name, value in self.globals.items() if name not in hidden})

    # -- builtins bound to this runtime --------------------------------------------------------------
    def _result(self, value: Any) -> Any:
        self._output = value
        return value

    def _print(
        self, *args: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None, flush: bool = False
    ) -> None:
        if self._has_final_answer and self.budget.is_running:
            raise FinalAnswerSignal()  # the code swallowed final_answer's end (finally/__exit__)
        if sep is not None and not isinstance(sep, str):
            raise TypeError(f"sep must be None or a string, not {type(sep).__name__}")
        if end is not None and not isinstance(end, str):
            raise TypeError(f"end must be None or a string, not {type(end).__name__}")
        separator = " " if sep is None else sep
        left = LIMITS.max_print_length - self._printed_length
        if len(args) * (len(separator) + 1) > left:  # print(*huge): refused before rendering anything
            raise RefusedError(
                f"print() of {len(args):,} values would print more than the code may; print a summary."
            )
        pieces: list[str] = []
        for value in args:
            check_rendering(value, LIMITS.max_print_length)
            piece = str(value)
            left -= len(piece) + len(separator)
            if left < 0:
                raise RefusedError(
                    f"The code printed more than {LIMITS.max_print_length:,} characters; print summaries instead."
                )
            pieces.append(piece)
        text = separator.join(pieces) + ("\n" if end is None else end)
        if file is not None:
            file.write(text)
            return
        self._printed_length += len(text)
        if self._printed_length > LIMITS.max_print_length:
            raise RefusedError(
                f"The code printed more than {LIMITS.max_print_length:,} characters; print summaries instead."
            )
        self._printed.append(text)

    def _logs(self) -> str:
        logs = "".join(self._printed)
        limit = self.max_print_outputs_length
        if len(logs) <= limit:
            return logs
        half = limit // 2
        return logs[:half] + _TRUNCATION_NOTE.format(limit=limit) + logs[-half:]

    def _import_star(self, module: str) -> None:
        names = self.imports.star_names(module)
        clashes = sorted(self.protected.intersection(names))
        if clashes:
            raise RefusedError(
                f"'from {module} import *' would rebind provided names {clashes}; import names explicitly."
            )
        self.globals.update(names)


def _refused_allocation(raised: MemoryError, budget: Budget) -> str:
    shape, dtype = getattr(raised, "shape", None), getattr(raised, "dtype", None)
    what = f"an array of shape {shape} and type {dtype}" if shape is not None else "numpy"
    return (
        f"{what} would allocate {size_text(budget.refused_allocation or 0)}, more than this code may still "
        f"use (its memory allowance is {size_text(budget.max_memory_bytes or 0)}); work on smaller arrays "
        "or in pieces."
    )


def _text(raised: BaseException) -> str:
    try:
        return str(raised)
    except BaseException as error:  # a model-defined __str__ may fail or run out of budget
        return f"<unprintable {type(raised).__name__}: {type(error).__name__}>"
