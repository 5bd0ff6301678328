"""Fixtures for the tool tests: a loopback web site standing in for search providers and pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback_site import LoopbackSite


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    web = LoopbackSite()
    yield web
    web.close()
