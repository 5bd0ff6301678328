"""Properties tying the three views of a type together: the hint, its JSON schema, its Python rendering."""

from typing import Any, Literal, Optional

from hypothesis import given
from hypothesis import strategies as st

from smolagents.tools.rendering import python_type_name
from smolagents.tools.schema import hint_to_schema
from smolagents.tools.validation import type_problem

LEAVES = st.sampled_from([str, int, float, bool, Any]) | st.sampled_from(
    [Literal["fast", "slow"], Literal[1, 2, 3], Literal["a"]]
)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return children.map(lambda item: list[item]) | children.map(lambda item: dict[str, item])


PLAIN_HINTS = st.recursive(LEAVES, containers, max_leaves=4)
HINTS = st.recursive(
    LEAVES, lambda children: containers(children) | children.map(lambda item: Optional[item]), max_leaves=4
)


def values_of(hint: Any) -> st.SearchStrategy[Any]:
    """Python values a function annotated with `hint` would expect."""
    if hint is str:
        return st.text(max_size=5)
    if hint is int:
        return st.integers()
    if hint is float:
        return st.floats(allow_nan=False) | st.integers()
    if hint is bool:
        return st.booleans()
    if hint is Any:
        return st.none() | st.integers() | st.text(max_size=3) | st.lists(st.booleans(), max_size=2)
    origin, args = getattr(hint, "__origin__", None), getattr(hint, "__args__", ())
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(values_of(args[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(st.text(max_size=3), values_of(args[1]), max_size=3)
    inner = next(arg for arg in args if arg is not type(None))  # Optional[X]
    return st.none() | values_of(inner)


@given(data=st.data(), hint=HINTS)
def test_values_of_the_hinted_type_pass_validation_of_the_schema(data: st.DataObject, hint: Any) -> None:
    schema = hint_to_schema(hint)
    value = data.draw(values_of(hint))
    assert type_problem(value, schema) is None, (hint, schema, value)


@given(hint=PLAIN_HINTS)
def test_rendered_python_type_reads_back_as_the_same_hint(hint: Any) -> None:
    rendered = python_type_name(hint_to_schema(hint))
    assert eval(rendered, {"Any": Any, "Literal": Literal}) == hint  # rendering is ours, not user input
