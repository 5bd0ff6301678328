"""The local interpreter: model code is checked once, rewritten with guards and run by CPython.

Standard library only (an import-linter contract enforces it). The public front is
`smolagents.local_python_executor`; the guide for extending the policy is docs/interpreter.md.

Map of the package, in the order code flows through it:

Checking and rewriting (once per piece of code, cached)
    compiler.py        size and depth checks, the rewrite, ticks between statements, compile()
    transform.py       the rewriter: names, attributes, operators, calls, functions, classes
    rewrite_flow.py    its part for exceptions, `finally`, `match` and imports
    rewrite_nodes.py   small AST builders and CompileRefusal
    fast_paths.py      inline exact-type tests so common operations skip guard calls
    names.py           every `__sg_*__` name the rewritten code uses, defined once
    node_count.py      1.26's count of evaluated nodes, for evaluate_python_code only

Running (per call)
    runtime.py         one executor's notebook: globals, builtins, print, final_answer, errors
    code_thread.py     the large-stack thread model code runs on; tools run back on the caller's
    budget.py          time, operation and memory limits checked by cheap C-level ticks
    watchdog.py        stops runs stuck in pure-Python library loops past their limits
    context.py         which budget the running code draws on

The policy (what model code may reach and how big things may grow)
    policy.py          THE REGISTRY: attribute rules (routed reads) and module rules (removed or
                       replaced attributes); the tables the guards read are derived from it
    tables.py          module lists, attribute allow-lists, definable dunders, size limits
    guards.py          attribute reads and stores, stand-in types, super(), class ownership
    builtins.py        the curated builtins and class creation rules
    modules.py         imports: the allow-list and the sanitized module copies
    restricted_modules.py  stand-ins for sys, builtins, importlib, ... when named explicitly
    module_overrides.py, numpy_functions.py, user_collections.py, stand_ins.py
                       guarded replacements for stdlib, numpy, collections, re and itertools
    limits.py          size guards for operators and string/list methods
    formatting.py      str.format, %, f-strings and rendering without lookups or huge results
    arrays.py, numpy_memory.py
                       numpy work estimates and the allocator bounded by the memory allowance
    plain.py           arguments handed to tools become exact builtin types

The host boundary (what model code may do to the machine)
    host_access.py     one audit hook; grants for reading, writing, network; model scope by frame
    environment.py     os.environ as model code sees it: scrubbed
    c_openers.py       libraries that open files in C (lxml, PIL, sqlite ATTACH)

Errors
    errors.py          InterpreterError and its kinds, HostAccessDenied, internal signals
    messages.py        1.26's leading words for runtime errors (missing keys, del, +=, calls)
"""
