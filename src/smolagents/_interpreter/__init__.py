"""The local interpreter: model code is checked once, rewritten with guards and run by CPython.

Standard library only (an import-linter contract enforces it). The public front is
`smolagents.local_python_executor`.
"""
