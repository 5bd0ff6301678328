"""Values that cross a process boundary, as JSON with type tags: never pickle unless asked.

A value is turned into plain JSON data; what JSON cannot say by itself (a tuple, bytes, a date,
an array...) becomes an object ``{"__type__": <tag>, ...}``, and a dict that happens to have a
``"__type__"`` key is tagged itself, so no data is ever mistaken for a tag. Decoding builds only
the types listed here; an unknown tag is an error, so hostile JSON cannot make anything else.

| value | encoding |
|---|---|
| None, bool, int, str, finite float, list, dict with str keys | themselves |
| nan/inf, tuple, set, frozenset, other dicts, complex | tagged |
| bytes, bytearray | base64 |
| datetime, date, time, timedelta, Decimal, Path | ISO text / seconds / text |
| numpy arrays and scalars (not of object dtype) | raw bytes in base64, dtype, shape |
| pandas DataFrame and Series | columns as arrays or lists, index, dtypes |
| PIL images | PNG in base64 |
| dataclass instances | their fields (decoded as a dict naming the class) |

Anything else raises `SerializationError` naming the type. Pickle is used only when a caller
passes ``allow_pickle=True``, which gives a `FutureWarning` (and a log line) each time pickle is used: unpickling data from a
sandbox lets the sandbox run code in this process.

This module imports only the standard library (numpy, pandas and PIL only when a value of theirs
is met), because its source is also what the sandboxes run to encode their side.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import json
import logging
import math
import pathlib
import sys
import warnings
from io import BytesIO
from typing import Any

__all__ = ["SafeSerializer", "SerializationError"]

_TAG = "__type__"
_LOGGER = logging.getLogger("smolagents.serialization")
_PICKLE_RISK = (
    "unpickling data from a sandbox lets code in it run in this process. Only pass allow_pickle=True for "
    "sandboxes you fully trust."
)


def _warn_pickle(what: str) -> None:
    # A FutureWarning, as 1.26 gives, so users can filter or escalate it; logged too for agent logs.
    message = f"{what}: {_PICKLE_RISK}"
    warnings.warn(message, FutureWarning, stacklevel=3)
    _LOGGER.warning(message)


class SerializationError(Exception):
    """A value cannot cross the boundary safely (its type has no safe encoding, or the data is bad)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise SerializationError(f"Expected base64 text, got {type(text).__name__}.")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _type_name(value: Any) -> str:
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _module_of(value: Any) -> str:
    return type(value).__module__.partition(".")[0]


# -- encoding -----------------------------------------------------------------------------------------
def _encode_float(value: float) -> Any:
    return value if math.isfinite(value) else {_TAG: "float", "data": repr(value)}


def _encode_dict(value: dict[Any, Any]) -> Any:
    if _TAG not in value and all(type(key) is str for key in value):
        return {key: _encode(item) for key, item in value.items()}
    return {_TAG: "dict", "data": [[_encode(key), _encode(item)] for key, item in value.items()]}


def _encode_builtin(value: Any) -> Any:
    kind = type(value)
    if kind is tuple:
        return {_TAG: "tuple", "data": [_encode(item) for item in value]}
    if kind in (set, frozenset):
        return {_TAG: kind.__name__, "data": [_encode(item) for item in value]}
    if kind in (bytes, bytearray):
        return {_TAG: kind.__name__, "data": _b64(bytes(value))}
    if kind is complex:
        return {_TAG: "complex", "real": _encode_float(value.real), "imag": _encode_float(value.imag)}
    return _NOT_HANDLED


def _encode_stdlib(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {_TAG: "datetime", "data": value.isoformat()}
    if isinstance(value, datetime.date):
        return {_TAG: "date", "data": value.isoformat()}
    if isinstance(value, datetime.time):
        return {_TAG: "time", "data": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {_TAG: "timedelta", "days": value.days, "seconds": value.seconds, "us": value.microseconds}
    if isinstance(value, decimal.Decimal):
        return {_TAG: "Decimal", "data": str(value)}
    if isinstance(value, pathlib.PurePath):
        return {_TAG: "Path", "data": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: _encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return {
            _TAG: "dataclass",
            "class_name": type(value).__qualname__,
            "module": type(value).__module__,
            "data": fields,
        }
    return _NOT_HANDLED


def _encode_array(array: Any) -> Any:
    import numpy

    if array.dtype.hasobject or array.dtype.fields is not None:
        if array.dtype.hasobject and array.dtype.fields is None:
            return {_TAG: "ndarray_list", "shape": list(array.shape), "data": _encode(array.ravel().tolist())}
        raise SerializationError(f"Cannot safely serialize a numpy array of dtype {array.dtype}.")
    data = numpy.ascontiguousarray(array).tobytes()
    return {_TAG: "ndarray", "dtype": array.dtype.str, "shape": list(array.shape), "data": _b64(data)}


def _encode_numpy(value: Any) -> Any:
    import numpy

    if isinstance(value, numpy.ndarray):
        return _encode_array(value)
    if isinstance(value, numpy.generic) and not isinstance(value, numpy.object_):
        return {_TAG: "numpy_scalar", "array": _encode_array(numpy.asarray(value))}
    return _NOT_HANDLED


def _encode_column(series: Any) -> Any:
    values = series.to_numpy()
    if values.dtype.hasobject or str(series.dtype) != str(values.dtype):
        return {"dtype": str(series.dtype), "values": _encode(series.astype(object).tolist())}
    return {"dtype": str(series.dtype), "array": _encode_array(values)}


def _encode_index(index: Any) -> Any:
    import pandas

    if isinstance(index, pandas.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": _encode(index.name)}
    if isinstance(index, pandas.MultiIndex):
        return {"tuples": _encode(list(index)), "names": _encode(list(index.names))}
    return {"column": _encode_column(index.to_series()), "name": _encode(index.name)}


def _encode_pandas(value: Any) -> Any:
    import pandas

    if isinstance(value, pandas.DataFrame):
        return {
            _TAG: "DataFrame",
            "columns": _encode_index(value.columns),
            "data": [_encode_column(value.iloc[:, position]) for position in range(value.shape[1])],
            "index": _encode_index(value.index),
        }
    if isinstance(value, pandas.Series):
        return {
            _TAG: "Series",
            "name": _encode(value.name),
            "data": _encode_column(value),
            "index": _encode_index(value.index),
        }
    return _NOT_HANDLED


def _encode_image(value: Any) -> Any:
    from PIL import Image

    if not isinstance(value, Image.Image):
        return _NOT_HANDLED
    buffer = BytesIO()
    value.save(buffer, format="PNG")
    return {_TAG: "PIL.Image", "data": _b64(buffer.getvalue())}


_NOT_HANDLED = object()
_BY_MODULE = {"numpy": _encode_numpy, "pandas": _encode_pandas, "PIL": _encode_image}


def _encode(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        return _encode_float(value)
    if kind is list:
        return [_encode(item) for item in value]
    if kind is dict:
        return _encode_dict(value)
    encoded = _encode_builtin(value)
    if encoded is _NOT_HANDLED:
        encoded = _encode_stdlib(value)
    if encoded is _NOT_HANDLED:
        encoder = _BY_MODULE.get(_module_of(value))
        if encoder is None and "PIL" in sys.modules:  # images of a subclass defined elsewhere
            encoder = _encode_image
        encoded = _NOT_HANDLED if encoder is None else encoder(value)
    if encoded is _NOT_HANDLED:
        raise SerializationError(
            f"Cannot safely serialize object of type {_type_name(value)}: only JSON-like data, bytes, dates, "
            "numpy arrays, pandas frames, PIL images and dataclasses cross the executor boundary. Convert it "
            "(e.g. to a dict or a string) first."
        )
    return encoded


# -- decoding -----------------------------------------------------------------------------------------
def _decode_array(data: Any) -> Any:
    import numpy

    dtype = numpy.dtype(str(data["dtype"]))
    if dtype.hasobject or dtype.fields is not None:
        raise SerializationError(f"Refusing to decode a numpy array of dtype {dtype}.")
    shape = tuple(int(size) for size in data["shape"])
    return numpy.frombuffer(_unb64(data["data"]), dtype=dtype).reshape(shape).copy()


def _decode_object_array(data: Any) -> Any:
    import numpy

    items = _decode(data["data"])
    array = numpy.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(tuple(int(size) for size in data["shape"]))


def _decode_column(data: dict[str, Any]) -> tuple[Any, str]:
    values = _decode_array(data["array"]) if "array" in data else _decode(data["values"])
    return values, str(data["dtype"])


def _series(values: Any, dtype: str, name: Any = None, index: Any = None) -> Any:
    import pandas

    series = pandas.Series(values, name=name, index=index, dtype=object if dtype == "object" else None)
    try:
        return series.astype(dtype) if str(series.dtype) != dtype else series
    except (TypeError, ValueError):
        return series  # a dtype this pandas does not know: keep the values


def _decode_index(data: dict[str, Any]) -> Any:
    import pandas

    if "range" in data:
        start, stop, step = (int(number) for number in data["range"])
        return pandas.RangeIndex(start, stop, step, name=_decode(data["name"]))
    if "tuples" in data:
        return pandas.MultiIndex.from_tuples(_decode(data["tuples"]), names=_decode(data["names"]))
    values, dtype = _decode_column(data["column"])
    return pandas.Index(_series(values, dtype), name=_decode(data["name"]))


def _decode_frame(data: dict[str, Any]) -> Any:
    import pandas

    index = _decode_index(data["index"])
    columns = [_series(*_decode_column(column)) for column in data["data"]]
    frame = pandas.concat(columns, axis=1) if columns else pandas.DataFrame(index=range(len(index)))
    frame.columns = _decode_index(data["columns"]) if columns else frame.columns
    frame.index = index
    return frame


def _decode_image(data: dict[str, Any]) -> Any:
    from PIL import Image

    image = Image.open(BytesIO(_unb64(data["data"])), formats=["PNG"])
    image.load()
    return image


def _decode_timedelta(data: dict[str, Any]) -> datetime.timedelta:
    if "total_seconds" in data:  # 1.26's encoding
        return datetime.timedelta(seconds=float(data["total_seconds"]))
    return datetime.timedelta(
        days=int(data["days"]), seconds=int(data["seconds"]), microseconds=int(data["us"])
    )


def _decode_float(text: Any) -> float:
    if text not in ("nan", "inf", "-inf"):
        raise SerializationError(f"Bad float encoding {text!r}.")
    return float(text)


_DECODERS: dict[str, Any] = {
    "float": lambda data: _decode_float(data["data"]),
    "tuple": lambda data: tuple(_decode(item) for item in data["data"]),
    "set": lambda data: {_decode(item) for item in data["data"]},
    "frozenset": lambda data: frozenset(_decode(item) for item in data["data"]),
    "dict": lambda data: {_decode(key): _decode(item) for key, item in data["data"]},
    "dict_with_complex_keys": lambda data: {_decode(key): _decode(item) for key, item in data["data"]},
    "bytes": lambda data: _unb64(data["data"]),
    "bytearray": lambda data: bytearray(_unb64(data["data"])),
    "complex": lambda data: complex(_decode(data["real"]), _decode(data["imag"])),
    "datetime": lambda data: datetime.datetime.fromisoformat(data["data"]),
    "date": lambda data: datetime.date.fromisoformat(data["data"]),
    "time": lambda data: datetime.time.fromisoformat(data["data"]),
    "timedelta": _decode_timedelta,
    "Decimal": lambda data: decimal.Decimal(str(data["data"])),
    "Path": lambda data: pathlib.Path(str(data["data"])),
    "dataclass": lambda data: {
        "__dataclass__": str(data["class_name"]).rsplit(".", 1)[-1],
        "__module__": str(data["module"]),
        **{str(key): _decode(item) for key, item in data["data"].items()},
    },
    "ndarray": _decode_array,
    "ndarray_list": _decode_object_array,
    "numpy_scalar": lambda data: _decode_array(data["array"])[()],
    "DataFrame": _decode_frame,
    "Series": lambda data: _series(
        *_decode_column(data["data"]), name=_decode(data["name"]), index=_decode_index(data["index"])
    ),
    "PIL.Image": _decode_image,
}


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if _TAG not in data:
        return {key: _decode(item) for key, item in data.items()}
    decoder = _DECODERS.get(data[_TAG])
    if decoder is None:
        # A tag we do not know names no type to build: the mapping comes back as plain data (as
        # in 1.26), and nothing is imported or called for it.
        return {key: _decode(item) for key, item in data.items()}
    return decoder(data)


class SafeSerializer:
    """Encode values as JSON with type tags, and decode them back; pickle only on explicit opt-in."""

    SAFE_PREFIX = "safe:"
    PICKLE_PREFIX = "pickle:"

    @staticmethod
    def to_json_safe(obj: Any) -> Any:
        """Return JSON-ready data (tagged where needed) for `obj`.

        Raises:
            SerializationError: If `obj` (or something inside it) has no safe encoding, or nests
                too deeply (or refers to itself).
        """
        try:
            return _encode(obj)
        except RecursionError:
            raise SerializationError(
                f"Cannot serialize a {_type_name(obj)} that nests too deeply or contains itself."
            ) from None

    @staticmethod
    def from_json_safe(obj: Any) -> Any:
        """Return the value that `to_json_safe` encoded as `obj`.

        Raises:
            SerializationError: If the data has an unknown tag or a malformed tagged value.
        """
        try:
            return _decode(obj)
        except SerializationError:
            raise
        except ImportError as error:
            raise SerializationError(
                f"Cannot decode a value: it needs the '{error.name}' package, which is not installed here."
            ) from error
        except (KeyError, TypeError, ValueError, OSError, RecursionError) as error:
            raise SerializationError(
                f"Malformed serialized value ({type(error).__name__}: {error})."
            ) from error

    @staticmethod
    def dumps(obj: Any, allow_pickle: bool = False) -> str:
        """Return `obj` as text: ``"safe:" + JSON``, or with `allow_pickle`, pickle where JSON cannot.

        Raises:
            SerializationError: If `obj` has no safe encoding and pickle is not allowed (or fails).
        """
        try:
            return SafeSerializer.SAFE_PREFIX + json.dumps(SafeSerializer.to_json_safe(obj), allow_nan=False)
        except SerializationError:
            if not allow_pickle:
                raise
        import pickle

        _warn_pickle(f"Falling back to insecure pickle serialization for a value of type {_type_name(obj)}")
        try:
            return SafeSerializer.PICKLE_PREFIX + _b64(pickle.dumps(obj))
        except Exception as error:
            raise SerializationError(f"Cannot pickle object of type {_type_name(obj)}: {error}") from error

    @staticmethod
    def get_deserializer_code(allow_pickle: bool = False) -> str:
        """Return standalone source defining ``_deserialize(text)``, which decodes `dumps` output.

        For code sent to a sandbox without this package (1.26's helper): the source of this module
        is defined there as a module, so both ends decode alike.
        """
        source = pathlib.Path(__file__).read_text(encoding="utf-8")
        return (
            "import sys as _sys, types as _types\n"
            "_serialization = _types.ModuleType('smolagents_serialization')\n"
            "_sys.modules['smolagents_serialization'] = _serialization\n"
            f"exec(compile({source!r}, 'serialization.py', 'exec'), _serialization.__dict__)\n"
            "def _deserialize(data):\n"
            f"    return _serialization.SafeSerializer.loads(data, allow_pickle={bool(allow_pickle)!r})\n"
        )

    @staticmethod
    def loads(data: str, allow_pickle: bool = False) -> Any:
        """Return the value that `dumps` wrote as `data`.

        Raises:
            SerializationError: If the data is pickle (or unprefixed, 1.26's legacy pickle) and
                pickle is not allowed, or if it is malformed.
        """
        if not isinstance(data, str):
            raise SerializationError(f"Serialized data must be text, got {type(data).__name__}.")
        if data.startswith(SafeSerializer.SAFE_PREFIX):
            try:
                parsed = json.loads(data[len(SafeSerializer.SAFE_PREFIX) :])
            except ValueError as error:
                raise SerializationError(f"Malformed serialized value: {error}") from error
            return SafeSerializer.from_json_safe(parsed)
        if not allow_pickle:
            raise SerializationError(
                "Pickle data rejected: unpickling lets its sender run code here. Pass allow_pickle=True only "
                "if you fully trust where the data comes from."
            )
        import pickle

        _warn_pickle("Deserializing pickle data")
        payload = (
            data[len(SafeSerializer.PICKLE_PREFIX) :]
            if data.startswith(SafeSerializer.PICKLE_PREFIX)
            else data
        )
        return pickle.loads(_unb64(payload))  # the caller opted in: see the warning
