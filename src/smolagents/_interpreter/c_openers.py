"""Cover for libraries that open files or URLs in C, where no audit event fires.

libxml2 (lxml) reads documents, external entities, XInclude and XSLT `document()` targets itself;
FreeType and LittleCMS (PIL fonts and colour profiles) open their files by name; sqlite ATTACHes
database files. Each entry point that takes a path is listed in `PATH_ARGUMENTS` and wrapped,
in the library module itself, by a function that checks the path against the grants of the model
code on the stack (the host, which has none on its stack, is not checked) before C opens it.
Parsers created by model code resolve no external entities and use no network; XSLT gets no file
or network access; XInclude is refused.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any

from .errors import HostAccessDenied
from .host_access import HostPermissions, model_permissions

__all__ = ["PATH_ARGUMENTS", "c_opener_overrides", "cover_c_openers", "guarded_lxml_method"]

PATH_ARGUMENTS: dict[str, dict[str, tuple[tuple[int, str], ...]]] = {
    "lxml.etree": {"parse": ((0, "source"),), "iterparse": ((0, "source"),)},
    "lxml.html": {"parse": ((0, "filename_or_url"),)},
    "lxml.objectify": {"parse": ((0, "f"),)},
    "PIL.ImageFont": {"truetype": ((0, "font"),), "load_path": ((0, "filename"),)},
    "PIL.ImageCms": {
        "getOpenProfile": ((0, "profileFilename"),),
        "profileToProfile": ((1, "inputProfile"), (2, "outputProfile")),
        "buildTransform": ((0, "inputProfile"), (1, "outputProfile")),
        "buildProofTransform": ((0, "inputProfile"), (1, "outputProfile"), (2, "proofProfile")),
    },
}
"""Functions (by module) whose arguments, at these positions or keywords, are paths C opens."""

_covered: set[str] = set()
_covering = threading.Lock()


def _caller_grants() -> HostPermissions | None:
    return model_permissions(sys._getframe(2))


def _check_source(grants: HostPermissions, value: Any, write: bool = False) -> None:
    if not isinstance(value, (str, bytes, os.PathLike)):
        return  # a file object: Python opened it, through the audited open()
    text = os.fsdecode(os.fspath(value))
    scheme, separator, rest = text.partition("://")
    if separator and scheme.isalpha() and len(scheme) > 1:
        if scheme.lower() != "file":
            raise HostAccessDenied(
                f"Reading {text[:80]!r} is not allowed from model code: libraries may not fetch URLs in C; "
                "fetch the document with a tool (or with allow_net=True and requests) and parse its text."
            )
        text = rest
    if write:
        grants.check_write(text)
    else:
        grants.check_read(text)


def _checked(function: Callable[..., Any], arguments: tuple[tuple[int, str], ...]) -> Callable[..., Any]:
    @wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        grants = _caller_grants()
        if grants is not None:
            for position, keyword in arguments:
                if position < len(args):
                    _check_source(grants, args[position])
                elif keyword in kwargs:
                    _check_source(grants, kwargs[keyword])
        return function(*args, **kwargs)

    call.__sg_checked__ = True  # type: ignore[attr-defined]
    return call


def cover_c_openers(module_name: str) -> None:
    """Wrap, in the real module, the functions of `module_name` that open paths in C (once)."""
    with _covering:
        if module_name in _covered or module_name not in PATH_ARGUMENTS:
            return
        module = importlib.import_module(module_name)
        for attribute, arguments in PATH_ARGUMENTS[module_name].items():
            function = getattr(module, attribute, None)
            if callable(function) and not getattr(function, "__sg_checked__", False):
                setattr(module, attribute, _checked(function, arguments))
        _covered.add(module_name)


# -- what model code gets instead of lxml's parser and XSLT classes ------------------------------------
def _safe_parser(parser_class: Any) -> Callable[..., Any]:
    def make(*args: Any, **kwargs: Any) -> Any:
        # External entities, DTDs and the network are read by libxml2 in C: never for model code.
        kwargs.update(resolve_entities=False, no_network=True, load_dtd=False)
        kwargs.pop("dtd_validation", None)
        return parser_class(*args, **kwargs)

    make.__name__ = parser_class.__name__
    make.__doc__ = parser_class.__doc__
    return make


def _safe_xslt(etree: Any) -> Callable[..., Any]:
    def make(xslt_input: Any, **kwargs: Any) -> Any:
        kwargs["access_control"] = etree.XSLTAccessControl.DENY_ALL  # no file or network from XSLT
        return etree.XSLT(xslt_input, **kwargs)

    make.__name__ = "XSLT"
    return make


def _refuse_file_keyword(factory: Any, name: str) -> Callable[..., Any]:
    def make(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("file") is not None or kwargs.get("external_id") is not None:
            raise HostAccessDenied(
                f"{name}(file=...) is not allowed from model code: libxml2 would open the path in C; "
                "parse the file with lxml.etree.parse first and pass the tree."
            )
        return factory(*args, **kwargs)

    make.__name__ = name
    return make


def c_opener_overrides(module_name: str) -> dict[str, Any]:
    """Return the replacements model code gets in its copy of `module_name` (lxml's parsers, XSLT)."""
    if module_name == "lxml.etree":
        etree = importlib.import_module("lxml.etree")
        overrides: dict[str, Any] = {
            name: _safe_parser(getattr(etree, name)) for name in ("XMLParser", "XMLPullParser", "HTMLParser")
        }
        overrides["XSLT"] = _safe_xslt(etree)
        for name in ("XMLSchema", "RelaxNG", "DTD"):
            overrides[name] = _refuse_file_keyword(getattr(etree, name), name)
        return overrides
    if module_name == "lxml.html":
        html = importlib.import_module("lxml.html")
        return {name: _safe_parser(getattr(html, name)) for name in ("HTMLParser", "XHTMLParser")}
    return {}


_LXML_WRITERS = frozenset({"write", "write_c14n", "write_output"})


def guarded_lxml_method(obj: Any, name: str) -> Any:
    """Serve `tree.xinclude` / `tree.write(path)` for lxml trees; None for other objects."""
    if not type(obj).__module__.startswith("lxml"):
        return None
    if name == "xinclude":
        raise HostAccessDenied(
            "XInclude is not allowed from model code: libxml2 would read the included files in C."
        )
    if name in _LXML_WRITERS:
        method = getattr(obj, name)

        def write(file: Any, *args: Any, **kwargs: Any) -> Any:
            grants = model_permissions(sys._getframe(1))
            if grants is not None:
                _check_source(grants, file, write=True)
            return method(file, *args, **kwargs)

        return write
    return None
