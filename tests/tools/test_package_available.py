"""`smolagents.utils._is_package_available`: 1.26's helper, imported from there by mcpadapt's smolagents adapter."""

from __future__ import annotations

import sys

from smolagents.utils import _is_package_available


def test_it_tells_installed_packages_from_missing_ones_without_importing_them() -> None:
    assert _is_package_available("json") and _is_package_available("pytest")
    assert not _is_package_available("no_such_package_xyz")
    assert not _is_package_available("no_such_package_xyz.sub")  # a missing parent is not an error
    sys.modules.pop("xml.dom.minidom", None)
    assert _is_package_available("xml.dom.minidom") and "xml.dom.minidom" not in sys.modules
