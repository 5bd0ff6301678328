"""SafeSerializer: what crosses the executor boundary, and what never does."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import logging
import math
import pathlib
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from smolagents.serialization import SafeSerializer, SerializationError


def roundtrip(value: Any) -> Any:
    text = SafeSerializer.dumps(value)
    assert text.startswith("safe:")
    json.loads(text[5:])  # strict JSON: no NaN or Infinity literals
    return SafeSerializer.loads(text)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        -(10**40),
        1.25,
        "text \u00e9",
        [1, [2, "3"]],
        {"a": {"b": [None]}},
        (1, (2, 3)),
        {1, 2},
        frozenset({"x"}),
        b"\x00\x01\xff",
        bytearray(b"ab"),
        3 + 4j,
        {(1, 2): "tuple key", 3: "int key"},
        {"__type__": "set", "data": [1]},  # user data that looks like a tag stays data
        datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
        datetime.date(2024, 2, 29),
        datetime.time(23, 59, 1),
        datetime.timedelta(days=-1, seconds=5, microseconds=7),
        decimal.Decimal("1.10"),
        pathlib.Path("/tmp/x.txt"),
    ],
    ids=repr,
)
def test_values_come_back_equal_and_of_the_same_type(value: Any) -> None:
    back = roundtrip(value)
    assert back == value
    assert type(back) is type(value) or isinstance(value, pathlib.PurePath)


def test_non_finite_floats_survive_as_strict_json() -> None:
    back = roundtrip([math.inf, -math.inf, math.nan])
    assert back[0] == math.inf and back[1] == -math.inf and math.isnan(back[2])


def test_numpy_arrays_keep_dtype_shape_and_values() -> None:
    for array in (np.arange(12, dtype=">i2").reshape(3, 4), np.array([[1.5, np.nan]]), np.array(["ab", "c"])):
        back = roundtrip(array)
        assert back.dtype == array.dtype and back.shape == array.shape
        np.testing.assert_array_equal(back, array)
    transposed = np.arange(6).reshape(2, 3).T
    np.testing.assert_array_equal(roundtrip(transposed), transposed)
    assert roundtrip(np.float32(2.5)) == np.float32(2.5) and type(roundtrip(np.int64(3))) is np.int64


def test_pandas_frames_and_series_keep_columns_index_and_dtypes() -> None:
    frame = pd.DataFrame(
        {"n": [1, 2, 3], "f": [0.5, None, 2.0], "s": ["a", "b", None], "c": pd.Categorical(["x", "y", "x"])},
        index=pd.Index([10, 20, 30], name="id"),
    )
    back = roundtrip(frame)
    pd.testing.assert_frame_equal(back, frame)
    series = pd.Series([1.0, 2.0], index=["a", "b"], name="s")
    pd.testing.assert_series_equal(roundtrip(series), series)
    multi = pd.DataFrame(
        {"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"])
    )
    pd.testing.assert_frame_equal(roundtrip(multi), multi)


def test_images_cross_as_png() -> None:
    image = Image.new("RGBA", (3, 2), (1, 2, 3, 4))
    data = SafeSerializer.to_json_safe(image)
    assert data["__type__"] == "PIL.Image"
    back = roundtrip(image)
    assert back.size == (3, 2) and back.getpixel((2, 1)) == (1, 2, 3, 4)


def test_dataclasses_come_back_as_a_dict_naming_their_class() -> None:
    @dataclasses.dataclass
    class Point:
        x: int
        y: tuple[int, int]

    back = roundtrip(Point(1, (2, 3)))
    assert back == {"__dataclass__": Point.__name__, "__module__": __name__, "x": 1, "y": (2, 3)}


def test_an_unknown_type_is_refused_with_its_name() -> None:
    class Opaque:
        pass

    with pytest.raises(SerializationError, match=r"type .*Opaque"):
        SafeSerializer.dumps({"k": [Opaque()]})
    with pytest.raises(SerializationError, match="numpy array of dtype"):
        SafeSerializer.dumps(np.zeros(2, dtype=[("a", "i4"), ("b", "O")]))


def test_a_value_that_contains_itself_is_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(SerializationError, match="contains itself"):
        SafeSerializer.dumps(loop)


def test_decoding_keeps_unknown_tags_as_data_and_refuses_object_arrays() -> None:
    # An unknown tag builds nothing: the mapping comes back as it was written.
    assert SafeSerializer.loads('safe:{"__type__": "os.system", "data": "echo hi"}') == {
        "__type__": "os.system",
        "data": "echo hi",
    }
    with pytest.raises(SerializationError, match="dtype"):
        SafeSerializer.loads(
            'safe:{"__type__": "ndarray", "dtype": "|O", "shape": [1], "data": "AAAAAAAAAAA="}'
        )
    with pytest.raises(SerializationError, match="Malformed"):
        SafeSerializer.loads('safe:{"__type__": "bytes", "data": "not base64!"}')


UNPICKLED: list[str] = []


def record_unpickling(what: str) -> None:
    UNPICKLED.append(what)


class Unpickled:
    """Records its unpickling, as a malicious payload would run code."""

    def __reduce__(self) -> Any:
        return (record_unpickling, ("unpickled",))


def test_pickle_is_refused_unless_the_caller_opts_in_and_then_it_logs_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    payload = "pickle:" + __import__("base64").b64encode(pickle.dumps(Unpickled())).decode()
    with pytest.raises(SerializationError, match="Pickle data rejected"):
        SafeSerializer.loads(payload)
    with pytest.raises(SerializationError, match="Pickle data rejected"):
        SafeSerializer.loads(payload[len("pickle:") :])  # 1.26's unprefixed legacy format
    assert UNPICKLED == []
    with caplog.at_level(logging.WARNING, logger="smolagents.serialization"):
        with pytest.warns(FutureWarning, match="pickle"):
            SafeSerializer.loads(payload, allow_pickle=True)
    assert UNPICKLED == ["unpickled"]
    assert "pickle" in caplog.text


def test_pickle_fallback_on_dumps_is_opt_in() -> None:
    with pytest.raises(SerializationError):
        SafeSerializer.dumps(Unpickled())
    with pytest.warns(FutureWarning, match="pickle"):
        assert SafeSerializer.dumps(Unpickled(), allow_pickle=True).startswith("pickle:")


def test_the_deserializer_code_decodes_in_a_bare_namespace() -> None:
    namespace: dict[str, Any] = {}
    exec(SafeSerializer.get_deserializer_code(allow_pickle=False), namespace)
    value = {"items": (1, 2), "raw": b"x", "when": datetime.date(2024, 1, 2)}
    assert namespace["_deserialize"](SafeSerializer.dumps(value)) == value
    with pytest.raises(Exception, match="Pickle data rejected"):
        namespace["_deserialize"]("pickle:" + __import__("base64").b64encode(pickle.dumps(1)).decode())
