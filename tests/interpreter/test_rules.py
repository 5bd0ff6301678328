"""The access rules: what ordinary code keeps (and how refusals read) for attributes, imports, formats."""

from __future__ import annotations

import collections
import math
from typing import Any

import pytest

from smolagents.local_python_executor import InterpreterError, LocalPythonExecutor


def run(code: str, imports: tuple[str, ...] = (), **variables: Any) -> Any:
    executor = LocalPythonExecutor(list(imports))
    executor.send_tools({})
    if variables:
        executor.send_variables(variables)
    return executor(code).output


@pytest.mark.parametrize(
    ("code", "refused"),
    [
        ("().__class__", "'__class__'"),
        ("(lambda: 0).__globals__", "'__globals__'"),
        ("getattr((), '__cla' + 'ss__')", "'__class__'"),
        ("class S(str):\n    pass\ngetattr(1, S('__class__'))", "'__class__'"),
        ("def g():\n    yield\ng().gi_frame", "'gi_frame'"),
        ("int.mro()", "'mro'"),
        ("import random\nrandom._os", "private attributes"),
        ("import random\ngetattr(random, '_inst')", "private attributes"),
        ("'{0.__class__}'.format(1)", "'__class__'"),
        ("'{0.real.__class__}'.format(1)", "'__class__'"),
        ("str.format('{0.__class__}', 1)", "'__class__'"),
        ("'{x.__class__}'.format_map({'x': 1})", "'__class__'"),
        ("import math\nmath.pi = 3", "may change only objects it defined"),
        ("import collections\ncollections.Counter.most_common = len", "may change only objects it defined"),
        ("setattr(int, 'x', 1)", "may change only objects it defined"),
        ("print.x = 1", "may change only objects it defined"),
    ],
)
def test_refused_access_names_the_attribute(code: str, refused: str) -> None:
    with pytest.raises(InterpreterError, match="not allowed") as caught:
        run(code)
    assert refused in str(caught.value)


def test_str_subclass_cannot_fool_the_attribute_check() -> None:
    code = (
        "class Liar(str):\n"
        "    def startswith(self, *a):\n        return False\n"
        "    def __eq__(self, o):\n        return False\n"
        "    def __hash__(self):\n        return 1\n"
        "getattr((), Liar('__class__'))"
    )
    with pytest.raises(InterpreterError, match="'__class__'"):
        run(code)


def test_setting_a_library_instance_method_is_refused_but_data_is_allowed() -> None:
    with pytest.raises(InterpreterError, match="shadow a method"):
        run("import collections\nc = collections.Counter()\nc.most_common = len")
    assert run("import collections\nP = collections.namedtuple('P', 'x')\np = P(1)\np._replace(x=2).x") == 2


def test_host_objects_sent_as_variables_keep_their_state() -> None:
    counter = collections.Counter(a=1)
    run("c.update(['a'])", c=counter)
    assert counter["a"] == 2
    with pytest.raises(InterpreterError, match="shadow a method"):
        run("c.update = print", c=counter)
    assert counter.update.__self__ is counter


def test_model_defined_classes_and_functions_are_the_codes_to_change() -> None:
    code = (
        "class A:\n    pass\nA.flag = 1\nA._private = 2\n"
        "def f():\n    return 1\nf.cache = {}\n"
        "a = A()\na._x = 3\n(A.flag, A._private, a._x, f.cache)"
    )
    assert run(code) == (1, 2, 3, {})


def test_private_name_of_a_library_base_class_stays_closed_in_a_subclass() -> None:
    with pytest.raises(InterpreterError, match="private"):
        run("import random\nclass R(random.Random):\n    pass\nR()._randbelow(5)")


def test_modules_are_sanitized_copies() -> None:
    assert run("import math\nmath.sqrt(9)") == 3.0
    assert math.pi == pytest.approx(3.14159, rel=1e-5)  # untouched in the host
    with pytest.raises(InterpreterError, match="Forbidden access to module: sys"):
        run("import datetime\ndatetime.sys")


def test_format_without_attribute_paths_stays_native() -> None:
    assert run("'{:>5}|{:.2f}|{}'.format('a', 3.14159, [1])") == "    a|3.14|[1]"
    assert run("'{0[0]}-{k[1]}'.format([7], k=(1, 2))") == "7-2"


def test_string_formatter_from_authorised_string_module_is_safe() -> None:
    assert run("import string\nstring.Formatter().format('{0}', 5)", ("string",)) == "5"
    with pytest.raises(InterpreterError, match="'__class__'"):
        run("import string\nstring.Formatter().format('{0.__class__}', 5)", ("string",))


def test_dunder_names_are_refused_at_compile_time_with_the_line() -> None:
    with pytest.raises(InterpreterError, match=r"'__builtins__'.*line 2"):
        run("x = 1\ny = __builtins__")


def test_reserved_helper_names_cannot_be_spelled() -> None:
    with pytest.raises(InterpreterError, match="reserved"):
        run("__sg_tick__ = None")


def test_forbidden_hook_methods_are_refused() -> None:
    with pytest.raises(InterpreterError, match="__del__"):
        run("class A:\n    def __del__(self):\n        pass")


def test_relative_and_star_imports() -> None:
    with pytest.raises(InterpreterError, match="relative imports"):
        run("from . import x")
    assert run("from math import *\nfloor(2.5)") == 2


def test_removed_names_of_authorised_packages_stay_closed() -> None:
    pytest.importorskip("numpy")
    with pytest.raises(InterpreterError, match=r"stays closed|not allowed"):
        run("import numpy.ctypeslib", ("numpy.*",))
    with pytest.raises(InterpreterError, match="allow_pickle"):
        run("import numpy as np\nnp.load('x.npy', allow_pickle=True)", ("numpy",))
    assert run("import numpy as np\nint(np.arange(5).sum())", ("numpy",)) == 10


def test_seeding_random_in_the_code_leaves_the_host_generator_alone() -> None:
    import random

    state = random.getstate()
    assert run("import random\nrandom.seed(7)\nrandom.random()") == random.Random(7).random()
    assert random.getstate() == state


def test_string_annotations_are_dropped_and_computed_ones_refused() -> None:
    assert run("def f(x: 'int') -> 'str':\n    return x\nf(3)") == 3
    with pytest.raises(InterpreterError, match="Annotations computed as strings"):
        run("T = 'int'\ndef f(x: T):\n    return x")


def test_future_annotations_make_annotations_lazy() -> None:
    code = (
        "from __future__ import annotations\n"
        "class Node:\n    def __init__(self, nxt: Node | None = None) -> None:\n        self.nxt = nxt\n"
        "    def last(self) -> Node:\n        return self if self.nxt is None else self.nxt.last()\n"
        "Node(Node()).last().nxt is None"
    )
    assert run(code) is True


def test_numpy_random_seeding_is_private_and_reproducible() -> None:
    np = pytest.importorskip("numpy")
    host_state = np.random.get_state()[1][:4].tolist()
    code = "import numpy as np\nnp.random.seed(0)\nnp.random.rand(2).round(6).tolist()"
    assert run(code, ("numpy.*",)) == np.random.RandomState(0).rand(2).round(6).tolist()
    assert np.random.get_state()[1][:4].tolist() == host_state


def test_unauthorised_submodule_attribute_says_how_to_authorise() -> None:
    pytest.importorskip("numpy")
    with pytest.raises(InterpreterError, match=r"'numpy.random' is not authorised; add 'numpy.random'"):
        run("import numpy as np\nnp.random.rand(2)", ("numpy",))


def test_match_args_are_checked_when_the_match_runs() -> None:
    code = (
        "class MM(type):\n    def __new__(mcs, name, bases, ns):\n"
        "        ns['__match_args__'] = ('__glob' + 'als__',)\n"
        "        return super().__new__(mcs, name, bases, ns)\n"
        "class Y(metaclass=MM):\n    pass\n"
        "match Y():\n    case Y(g):\n        g\n"
    )
    with pytest.raises(InterpreterError, match="__match_args__ may not name"):
        run(code)
    assert (
        run(
            "from dataclasses import dataclass\n@dataclass\nclass P:\n    x: int\nmatch P(3):\n    case P(v):\n        v",
            ("dataclasses",),
        )
        == 3
    )


def test_builtin_str_stays_the_real_type_for_libraries() -> None:
    np = pytest.importorskip("numpy")
    assert run("import numpy as np\nnp.array([1, 2], dtype=str).tolist()", ("numpy",)) == ["1", "2"]
    assert run("x = 'a'\ntype(x) is str, isinstance(x, str), str(3)") == (True, True, "3")
    assert np is not None
