"""Attribute lookups by string: str.format in all its forms, Formatter, % and the operator helpers."""

from __future__ import annotations

import pytest

from ._kit import Canary, ExecutorFactory, expect_refused

ENV = "SMOLAGENTS_CANARY"
# A Python function defined in an authorised module: its globals hold `_os`.
FIELD = f"0.__globals__[_os].environ[{ENV}]"
NAMED = f"f.__globals__[_os].environ[{ENV}]"

FORMAT_ATTACKS = [
    pytest.param(f"final_answer('{{{FIELD}}}'.format(random.Random.seed))", id="format-method"),
    pytest.param(f"final_answer('{{{NAMED}}}'.format(f=random.Random.seed))", id="format-keyword-field"),
    pytest.param(f"final_answer('{{{NAMED}}}'.format_map({{'f': random.Random.seed}}))", id="format_map"),
    pytest.param(f"final_answer(str.format('{{{FIELD}}}', random.Random.seed))", id="unbound-str-format"),
    pytest.param(
        f"fmt = '{{{FIELD}}}'.format\nfinal_answer(fmt(random.Random.seed))", id="format-bound-method-alias"
    ),
    pytest.param(
        f"final_answer(list(map('{{{FIELD}}}'.format, [random.Random.seed])))", id="format-called-from-map"
    ),
    pytest.param(
        f"final_answer(list(map(str.format, ['{{{FIELD}}}'], [random.Random.seed])))",
        id="str-format-called-from-map",
    ),
    pytest.param(
        f"final_answer(getattr('{{{FIELD}}}', 'format')(random.Random.seed))", id="format-through-getattr"
    ),
    pytest.param(
        f"class S(str):\n    pass\nfinal_answer(S('{{{FIELD}}}').format(random.Random.seed))",
        id="format-on-str-subclass",
    ),
    pytest.param(
        f"parts = ['{{0.__glo', 'bals__[_os].environ[{ENV}]}}']\n"
        "final_answer(''.join(parts).format(random.Random.seed))",
        id="format-string-built-at-runtime",
    ),
    pytest.param(
        f"final_answer('{{0.__self__.seed.__func__.__globals__[_os].environ[{ENV}]}}'.format(random.random))",
        id="format-private-attribute-path",
    ),
    pytest.param(
        f"final_answer('{{0._os.environ[{ENV}]}}'.format(random))", id="format-private-module-attribute"
    ),
    pytest.param(
        f"final_answer('{{0.forward.__globals__[os].environ[{ENV}]}}'.format(web_search))",
        id="format-tool-forward-globals",
    ),
    pytest.param(
        f'final_answer(f\'{{random.Random.seed.__globals__["_os"].environ["{ENV}"]}}\')',
        id="f-string-attribute",
    ),
    pytest.param(
        "class F:\n    def __format__(self, spec):\n        return spec\n"
        f"final_answer('{{0:{{1.__globals__[_os].environ[{ENV}]}}}}'.format(F(), random.Random.seed))",
        id="nested-format-spec-field",
    ),
]


@pytest.mark.parametrize("code", FORMAT_ATTACKS)
def test_format_attribute_paths_to_private_or_dunder_names_are_refused(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    expect_refused(make_executor(), "import random\n" + code, canary)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            f"import string\nfinal_answer(string.Formatter().format('{{{FIELD}}}', random.Random.seed))",
            id="formatter-format",
        ),
        pytest.param(
            f"import string\nfinal_answer(string.Formatter().vformat('{{{FIELD}}}', [random.Random.seed], {{}}))",
            id="formatter-vformat",
        ),
        pytest.param(
            "import string\n"
            "obj, _ = string.Formatter().get_field('0.__globals__', [random.Random.seed], {})\n"
            f"final_answer(obj['_os'].environ['{ENV}'])",
            id="formatter-get_field-returns-the-object",
        ),
        pytest.param(
            "import string\nclass F(string.Formatter):\n    pass\n"
            "obj, _ = F().get_field('0.__globals__', [random.Random.seed], {})\n"
            f"final_answer(obj['_os'].environ['{ENV}'])",
            id="formatter-subclass-get_field",
        ),
    ],
)
def test_string_formatter_attribute_paths_are_refused(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    expect_refused(make_executor(["string"]), "import random\n" + code, canary)


def test_percent_formatting_reaches_no_attribute(make_executor: ExecutorFactory, canary: Canary) -> None:
    # `%` only indexes mappings: the attack needs a mapping of a module's namespace, which vars refuses.
    code = f"import random\nfinal_answer('%(environ)s' % vars(vars(random)['_os']))\n'{ENV}'"
    expect_refused(make_executor(), code, canary)


def test_ordinary_formatting_still_works(make_executor: ExecutorFactory) -> None:
    """Control: safe format paths keep working, so the refusals above are about the paths."""
    code = (
        "class P:\n    def __init__(self):\n        self.x = 3\n"
        "'{0.x}-{1[k]}-{n:>3}'.format(P(), {'k': 'v'}, n=7) + ' %s/%d' % ('a', 2)"
    )
    assert make_executor()(code).output == "3-v-  7 a/2"


OPERATOR_ATTACKS = [
    pytest.param(
        f"final_answer(operator.attrgetter('__globals__')(random.Random.seed)['_os'].environ['{ENV}'])",
        id="attrgetter-dunder",
    ),
    pytest.param(
        f"final_answer(operator.attrgetter('seed.__globals__')(random.Random)['_os'].environ['{ENV}'])",
        id="attrgetter-dotted-dunder",
    ),
    pytest.param(
        f"final_answer(operator.attrgetter('_os')(random).environ['{ENV}'])",
        id="attrgetter-private-module-name",
    ),
    pytest.param(
        "final_answer(operator.attrgetter('seed', '_os')(random))", id="attrgetter-second-name-private"
    ),
    pytest.param(
        "subs = operator.methodcaller('__subclasses__')(object)\nfinal_answer(subs)", id="methodcaller-dunder"
    ),
    pytest.param(
        f"final_answer(operator.methodcaller('format', random.Random.seed)('{{{FIELD}}}'))",
        id="methodcaller-format",
    ),
    pytest.param(
        "final_answer(list(map(operator.attrgetter('__globals__'), [random.Random.seed])))",
        id="attrgetter-called-from-map",
    ),
    pytest.param(
        "class S(str):\n    def startswith(self, *a):\n        return False\n"
        "final_answer(operator.attrgetter(S('__globals__'))(random.Random.seed))",
        id="attrgetter-str-subclass",
    ),
]


@pytest.mark.parametrize("code", OPERATOR_ATTACKS)
def test_operator_attribute_helpers_refuse_dunder_and_private_names(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    expect_refused(make_executor(["operator"]), "import operator, random\n" + code, canary)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            f"final_answer(functools.reduce(getattr, ['__globals__'], random.Random.seed)['_os'].environ['{ENV}'])",
            id="reduce-getattr",
        ),
        pytest.param("final_answer(functools.partial(getattr, random)('_os'))", id="partial-getattr-private"),
        pytest.param(
            "@functools.singledispatch\ndef f(x):\n    return x\n"
            '@f.register\ndef _(x: "[c for c in ().__class__.__base__.__subclasses__() '
            "if c.__name__ == '_wrap_close'][0].__init__.__globals__['open'](MARKER, 65)\"):\n    return x\n",
            id="singledispatch-register-evaluates-string-annotation",
        ),
        pytest.param(
            'evil = "[c for c in ().__class__.__base__.__subclasses__() '
            "if c.__name__ == '_wrap_close'][0].__init__.__globals__['open'](MARKER, 65)\"\n"
            "@functools.singledispatch\ndef f(x):\n    return x\n"
            "def g(x: evil):\n    return x\nf.register(g)\n",
            id="singledispatch-register-evaluates-annotation-held-in-variable",
        ),
        pytest.param(
            'evil = "[c for c in ().__class__.__base__.__subclasses__() '
            "if c.__name__ == '_wrap_close'][0].__init__.__globals__['open'](MARKER, 65)\"\n"
            "class C:\n    @functools.singledispatchmethod\n    def f(self, x):\n        return x\n"
            "    @f.register\n    def _(self, x: evil):\n        return x\n",
            id="singledispatchmethod-register-evaluates-annotation-held-in-variable",
        ),
        pytest.param(
            'evil = "[c for c in ().__class__.__base__.__subclasses__() '
            "if c.__name__ == '_wrap_close'][0].__init__.__globals__['open'](MARKER, 65)\"\n"
            "@functools.singledispatch\ndef f(x):\n    return x\n"
            "def g(x):\n    return x\n"
            "functools.update_wrapper(g, type('W', (), {'__annotations__': {'x': evil}}))\nf.register(g)\n",
            id="singledispatch-register-evaluates-annotations-copied-by-update_wrapper",
        ),
        pytest.param(
            'evil = "[c for c in ().__class__.__base__.__subclasses__() '
            "if c.__name__ == '_wrap_close'][0].__init__.__globals__['open'](MARKER, 65)\"\n"
            "@functools.singledispatch\ndef f(x):\n    return x\n"
            "W = type('W', (), {'__annotations__': {'x': evil}})\n"
            "@functools.wraps(W)\ndef g(x):\n    return x\nf.register(g)\n",
            id="singledispatch-register-evaluates-annotations-copied-by-wraps",
        ),
    ],
)
def test_functools_routes_to_attribute_lookup_and_eval_are_refused(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    code = code.replace("MARKER", repr(str(canary.marker)))
    expect_refused(make_executor(["functools"]), "import functools, random\n" + code, canary)


def test_typing_get_type_hints_does_not_eval_model_strings(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """`typing.get_type_hints` evaluates string annotations with eval: a code-execution hook."""
    code = (
        "import typing\n"
        "class A:\n"
        "    x: \"[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0]"
        f".__init__.__globals__['open']({str(canary.marker)!r}, 65)\"\n"
        "typing.get_type_hints(A)"
    )
    expect_refused(make_executor(["typing"]), code, canary)
