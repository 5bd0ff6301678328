"""The version: ``1.26.1xx`` is our release ``xx`` of the smolagents 1.26 API (see the package docstring)."""

__version__ = "1.26.100"
