"""Escapes that share a cause (issue 10 part 2), each class attacked with several spellings.

Success for an attack is reaching an object model code must not hold: a real module (whose
unsanitized functions read memory or unpickle), a frame, host globals, or the canary.
"""

from __future__ import annotations

import pytest

from ._kit import Canary, ExecutorFactory, expect_no_escape, expect_refused

# Reaching numpy's real module (not the executor's copy) gives raw memory through as_strided.
_REAL_NUMPY_PROBE = (
    "\nm = candidate\n"
    "x = np.zeros(1)\n"
    "y = m.lib.stride_tricks.as_strided(x, shape=(10 ** 6,), strides=(8,))\n"
    "final_answer(int(y.sum()))"
)


class TestExceptionsCarryOnlyText:
    """An exception reaching model code holds only text: no `.obj`, no context with host objects."""

    @pytest.mark.parametrize(
        "code",
        [
            "try:\n    np.no_such_name\nexcept AttributeError as e:\n    candidate = e.obj",
            "try:\n    getattr(np, 'no_such_name')\nexcept AttributeError as e:\n    candidate = e.obj",
            "try:\n    np.lib.no_such_name\nexcept AttributeError as e:\n    candidate = e.obj",
            "try:\n    from numpy import no_such_name\nexcept ImportError as e:\n    candidate = e.__context__.obj",
            "try:\n    np.no_such_name\nexcept AttributeError as e:\n    candidate = e.__context__.obj",
            "try:\n    import numpy.no_such_module\nexcept ImportError as e:\n    candidate = e.__cause__.obj",
            "class CM:\n    def __enter__(self):\n        return self\n    def __exit__(self, kind, error, trace):\n"
            "        global candidate\n        candidate = error.obj\n        return True\nwith CM():\n    np.no_such_name",
            "try:\n    hasattr(np, 'no_such_name') or np.no_such_name\nexcept Exception as e:\n    candidate = e.obj",
        ],
        ids=[
            "module-attribute", "getattr", "submodule-attribute", "import-from-context", "attribute-context",
            "import-cause", "exit-argument", "hasattr-then-read",
        ],
    )  # fmt: skip
    def test_caught_errors_do_not_hand_out_real_modules(
        self, make_executor: ExecutorFactory, canary: Canary, code: str
    ) -> None:
        pytest.importorskip("numpy")
        expect_refused(
            make_executor(["numpy", "numpy.*"]), "import numpy as np\n" + code + _REAL_NUMPY_PROBE, canary
        )

    @pytest.mark.parametrize(
        "code",
        [
            "try:\n    type.no_such_name\nexcept AttributeError as e:\n    real_type = e.obj",
            "try:\n    type(int).no_such_name\nexcept AttributeError as e:\n    real_type = e.obj",
            "try:\n    getattr(type, 'no_such_name')\nexcept AttributeError as e:\n    real_type = e.obj",
        ],
        ids=["type", "type-of-int", "getattr-type"],
    )
    def test_stand_in_types_do_not_leak_the_real_ones(
        self, make_executor: ExecutorFactory, canary: Canary, code: str
    ) -> None:
        probe = "\nX = real_type('X', (), {'__array_interface__': {}})\nfinal_answer(X)"
        expect_refused(make_executor(), code + probe, canary)


class TestFormatThroughStringLikeObjects:
    """str subclasses of the standard library must not reach the native formatter's lookups."""

    @pytest.mark.parametrize(
        "code",
        [
            "import collections\nfinal_answer(collections.UserString('{0.__init__.__globals__}').format(web_search))",
            "import collections\nfinal_answer(collections.UserString('{x.__class__.__mro__}').format_map({'x': 1}))",
            "import collections\nclass S(collections.UserString):\n    pass\nfinal_answer(S('{0.__globals__}').format(final_answer))",
            "import collections\ns = collections.UserString('{0.__class__}')\nfinal_answer(collections.UserString.format(s, 1))",
            "import collections\ns = collections.UserString('{0.__class__}')\n"
            "final_answer(super(collections.UserString, s).format(1))",
            "import collections\ns = collections.UserString('%(x)s')\nfinal_answer(s % {'x': web_search})",
        ],
        ids=["format", "format-map", "subclass", "unbound-method", "super", "percent-dict"],
    )  # fmt: skip
    def test_user_string_formatting_obeys_attribute_rules(
        self, make_executor: ExecutorFactory, canary: Canary, code: str
    ) -> None:
        result = expect_no_escape(make_executor(), code, canary)
        assert "__globals__" not in str(getattr(result, "output", "")), "a format lookup reached host globals"
        assert "mro" not in str(getattr(result, "output", "")).lower()


class TestProtocolAttributesOnBuiltClasses:
    """numpy's `__array_interface__` wraps any address as an array: no way to put it on an object."""

    _PROBE = "\nimport numpy as np\nfinal_answer(np.asarray(obj).dtype.str)"
    _INTERFACE = "{'shape': (64,), 'typestr': '|u1', 'data': (id(1), False), 'version': 3}"

    @pytest.mark.parametrize(
        "code",
        [
            "X = type('X', (), {'__array_interface__': IFACE})\nobj = X()",
            "X = type(int)('X', (), {'__array_interface__': IFACE})\nobj = X()",
            "class M(type):\n    def __new__(mcs, name, bases, ns):\n        ns['__array_interface__'] = IFACE\n"
            "        return super().__new__(mcs, name, bases, ns)\nclass X(metaclass=M):\n    pass\nobj = X()",
            "class X:\n    def __getattr__(self, name):\n        return IFACE\nobj = X()",
            "class X:\n    __slots__ = ('__array_interface__',)\nobj = X()\nsetattr(obj, '__array_interface__', IFACE)",
            "class X:\n    pass\nobj = X()\nsetattr(obj, '__array_interface__', IFACE)",
            "X = type('X', (), {'__array_struct__': None, '__array__': lambda self, *a: 1})\nobj = X()",
        ],
        ids=["type-namespace", "type-of-type", "metaclass", "getattr-hook", "slots", "setattr", "other-protocols"],
    )  # fmt: skip
    def test_protocol_attributes_cannot_be_planted(
        self, make_executor: ExecutorFactory, canary: Canary, code: str
    ) -> None:
        pytest.importorskip("numpy")
        executor = make_executor(["numpy"])
        try:
            result = executor(code.replace("IFACE", self._INTERFACE) + self._PROBE)
        except Exception as error:  # refused: the defence held
            canary.assert_intact(str(error))
            return
        assert result.output == "|O", f"numpy read the planted interface: dtype {result.output}"


class TestSuperPastStandIns:
    """`super()` from or past the interpreter's stand-in classes reaches no unbounded original."""

    @pytest.mark.parametrize(
        ("imports", "code"),
        [
            (["queue"], "import queue\nq = queue.Queue()\nsuper(queue.Queue, q).get()"),
            (["queue"], "import queue\nclass Q(queue.Queue):\n    def get(self):\n        return super(queue.Queue, self).get()\nQ().get()"),
            ([], "x = super(map, map).__new__(map, abs, [1])"),
            ([], "x = super(zip, zip).__new__(zip, [1])"),
            (["string"], "import string\nsuper(string.Formatter, string.Formatter()).get_field('0.__class__', [1], {})"),
            (["collections"], "import collections\nu = collections.UserList([1])\nsuper(collections.UserList, u).extend(iter(u))"),
            (["itertools"], "import itertools\nx = super(itertools.chain, itertools.chain).__new__(itertools.chain, [1])"),
        ],
        ids=["queue-get", "queue-subclass", "map-new", "zip-new", "formatter", "userlist-extend", "itertools-chain"],
    )  # fmt: skip
    @pytest.mark.limits(wall_seconds=20, cpu_seconds=15)
    def test_super_does_not_skip_the_stand_in(
        self, make_executor: ExecutorFactory, canary: Canary, imports: list[str], code: str
    ) -> None:
        error = expect_refused(make_executor(imports, timeout_seconds=3), code, canary)
        assert "super()" in str(error)
