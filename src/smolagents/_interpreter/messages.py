"""1.26's wording for the errors models and users match on, put ahead of Python's own message.

Only text is built here: nothing the model code defined is called except `repr` of a plain mapping
it indexed, rendered within a size bound.
"""

from __future__ import annotations

import ast
import difflib
import re
import reprlib
from collections import Counter, OrderedDict, defaultdict
from types import FrameType, TracebackType

from .tables import CODE_FILENAME

__all__ = ["model_traceback", "well_known"]

_KWARGS_NOT_A_MAPPING = re.compile(r"argument after \*\* must be a mapping, not (\w+)")
_UNDEFINED_NAME = re.compile(r"name '(\w+)' is not defined")
_NOT_ITERABLE = re.compile(r"'\w+' object is not iterable")
_ADD_TO = re.compile(r"[\w.\[\]'\"]+\s*\+=\s*([^;#]+)$")
_PLAIN_MAPPINGS = (dict, defaultdict, OrderedDict, Counter)
_SHORT = reprlib.Repr()
_SHORT.maxdict = _SHORT.maxlist = 10
_SHORT.maxstring = _SHORT.maxother = 60


def well_known(raised: BaseException, text: str, line: str) -> str:
    """Return 1.26's leading words for `raised` (with message `text`, failing at source `line`), or ""."""
    if isinstance(raised, ValueError) and "values to unpack" in text:
        return "Cannot unpack tuple of wrong size. "
    found = _KWARGS_NOT_A_MAPPING.search(text) if isinstance(raised, TypeError) else None
    if found:
        return f"Cannot unpack non-dict value in **kwargs: {found.group(1)}. "
    found = _UNDEFINED_NAME.match(text) if isinstance(raised, NameError) else None
    if found:
        if line.startswith("del "):
            return f"Cannot delete name '{found.group(1)}': name is not defined. "
        if re.search(rf"(?<![\w.]){found.group(1)}\s*\(", line):  # called: a tool the code expected
            return (
                f"Forbidden function evaluation: '{found.group(1)}' is not among the explicitly allowed tools "
                "or defined/imported in the preceding code. "
            )
        return f"The variable `{found.group(1)}` is not defined. "
    if isinstance(raised, TypeError) and _NOT_ITERABLE.fullmatch(text):
        found = _ADD_TO.match(line)
        if found:  # `items += 1` on a list
            return f"Cannot add non-list value {found.group(1).strip()} to a list. "
    if type(raised) is KeyError and len(raised.args) == 1:
        entry = model_traceback(raised.__traceback__)
        return _missing_key(raised.args[0], line, entry.tb_frame if entry is not None else None)
    return ""


def model_traceback(trace: TracebackType | None) -> TracebackType | None:
    """Return the innermost entry of `trace` in the model's code (None: the code never ran)."""
    found = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == CODE_FILENAME:
            found = trace
        trace = trace.tb_next
    return found


def _missing_key(key: object, line: str, frame: FrameType | None) -> str:
    # `name[key]` on the failing line, where `name` holds a plain mapping without that key.
    if frame is None or type(key) not in (str, int, float, bool, tuple):
        return ""
    try:
        tree = ast.parse(line.rstrip(":") if line.endswith(":") else line)
    except SyntaxError:
        return ""
    scopes = (frame.f_locals, frame.f_globals)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
            continue
        mapping = next((scope[node.value.id] for scope in scopes if node.value.id in scope), None)
        if not isinstance(mapping, _PLAIN_MAPPINGS) or type(mapping) not in _PLAIN_MAPPINGS or key in mapping:
            continue
        message = f"Could not index {_SHORT.repr(mapping)} with {key!r}: "
        if isinstance(key, str):
            close = difflib.get_close_matches(key, [name for name in mapping if isinstance(name, str)])
            if close:
                message += f"Maybe you meant one of these indexes instead: {close}. "
        return message
    return ""
