"""Fixtures of the browser tests: one Chromium per test module, a fresh context per test.

Playwright's sync API keeps an event loop marked as running on the test thread while the browser
is open, so the browser must close before modules with async tests run: hence module scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _browser_support import require_browser_stack

from smolagents._ui.browser import CHROMIUM_FLAGS


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by Playwright, shared by the tests of one module."""
    executable = require_browser_stack("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A page in a fresh browser context (its own cookies: a new visitor)."""
    context = chromium.new_context(viewport={"width": 1100, "height": 1000})
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()
