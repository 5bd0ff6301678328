"""What the browser agent can do on the page: tools, helper functions for its code, screenshots.

The tools keep the names the browser prompt of smolagents 1.x uses (`go_back`, `close_popups`,
`search_item_ctrl_f`); the helpers (`go_to`, `click`, `Link`, `write`, `press`, `scroll_down`...)
follow the helium vocabulary that prompt teaches, implemented with Playwright.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..memory import ActionStep
from ..tools.base import Tool
from .browser import Browser

__all__ = [
    "GoBackTool",
    "ClosePopupsTool",
    "PageElement",
    "ScreenshotRecorder",
    "SearchOnPageTool",
    "attach_screenshot",
    "page_functions",
]

_FIND_TIMEOUT_MS = 5_000
_LOAD_TIMEOUT_MS = 10_000
_SCREENSHOT_TIMEOUT_MS = 10_000
# Visible elements that look like an open pop-up, and what closes one.
_DIALOGS = "dialog[open], [role=dialog], [role=alertdialog], [aria-modal=true], .modal.show, .modal[open]"
_CLOSE_NAMES = ("Close", "close", "\u00d7", "\u2715", "\u2716", "Dismiss", "No thanks")  # x, ✕, ✖


def _settle(page: Any) -> None:
    """Wait until the page finished loading after an action (navigations included)."""
    try:
        page.wait_for_load_state("load", timeout=_LOAD_TIMEOUT_MS)
    except Exception:  # a page that never finishes loading is still worth a screenshot
        pass


class PageElement:
    """An element of the page named by its text: ``Link("Docs")``, ``Button("Search")``, ``Text("Sign in")``."""

    def __init__(self, browser: Browser, kind: str, text: str) -> None:
        self._browser = browser
        self.kind = kind
        self.text = text

    def locate(self, page: Any) -> Any:
        """Return the Playwright locator of the element (for the browser thread)."""
        if self.kind == "link":
            return page.get_by_role("link", name=self.text)
        if self.kind == "button":
            return page.get_by_role("button", name=self.text).or_(
                page.locator(f"input[type=submit][value='{self.text}']")
            )
        return page.get_by_text(self.text)

    def exists(self) -> bool:
        """Return whether such an element is on the page now."""
        return bool(self._browser.run(lambda page: self.locate(page).count() > 0))

    def __repr__(self) -> str:
        return f"{self.kind.capitalize()}({self.text!r})"


def page_functions(browser: Browser) -> dict[str, Callable[..., Any]]:
    """Return the helium-style functions the agent's code calls to drive the page."""

    def go_to(url: str) -> str:
        """Open `url` (http or https); return the address reached."""
        target = url if "://" in url else f"https://{url}"
        if urlsplit(target).scheme not in ("http", "https"):
            raise ValueError(f"go_to only opens http(s) pages, not {url!r}.")

        def navigate(page: Any) -> str:
            page.goto(target, wait_until="load")
            return str(page.url)

        return browser.run(navigate)

    def click(target: str | PageElement) -> None:
        """Click the element showing `target` (text), or the given `Link(...)`/`Button(...)`."""
        element = target if isinstance(target, PageElement) else PageElement(browser, "text", str(target))

        def do_click(page: Any) -> None:
            locator = element.locate(page).first
            try:
                locator.click(timeout=_FIND_TIMEOUT_MS)
            except Exception as error:
                raise LookupError(f"No clickable {element!r} on the page.") from error
            _settle(page)

        browser.run(do_click)

    def write(text: str, into: str | None = None) -> None:
        """Type `text` into the field labelled or showing placeholder `into` (default: the focused field)."""

        def do_write(page: Any) -> None:
            if into is None:
                focused = page.evaluate(
                    "() => ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName)"
                )
                field = None if focused else page.locator("input:visible, textarea:visible").first
            else:
                field = next(
                    (
                        candidate.first
                        for candidate in (
                            page.get_by_label(into),
                            page.get_by_placeholder(into),
                            page.get_by_role("textbox", name=into),
                        )
                        if candidate.count() > 0
                    ),
                    None,
                )
                if field is None:
                    raise LookupError(f"No text field {into!r} on the page.")
            if field is None:
                page.keyboard.type(text)
            else:
                field.fill(text, timeout=_FIND_TIMEOUT_MS)

        browser.run(do_write)

    def press(key: str) -> None:
        """Press a key, e.g. ``press("Enter")``, ``press("Tab")``, ``press("Escape")``."""
        name = {"ENTER": "Enter", "TAB": "Tab", "ESCAPE": "Escape", "ESC": "Escape"}.get(key.upper(), key)

        def do_press(page: Any) -> None:
            focused = page.locator(":focus")
            if focused.count():
                # An element's own press waits for the navigation it starts (a form submitted by
                # Enter); a screenshot taken while a navigation commits can hang.
                focused.first.press(name, timeout=_FIND_TIMEOUT_MS)
            else:
                page.keyboard.press(name)
            _settle(page)

        browser.run(do_press)

    def scroll_down(num_pixels: int = 1200) -> None:
        """Scroll the page down by `num_pixels`."""
        browser.run(lambda page: page.mouse.wheel(0, num_pixels))

    def scroll_up(num_pixels: int = 1200) -> None:
        """Scroll the page up by `num_pixels`."""
        browser.run(lambda page: page.mouse.wheel(0, -num_pixels))

    def Link(text: str) -> PageElement:  # helium's names, which the prompt teaches
        """Name the link showing `text`, e.g. ``click(Link("Docs"))``."""
        return PageElement(browser, "link", text)

    def Button(text: str) -> PageElement:
        """Name the button showing `text`."""
        return PageElement(browser, "button", text)

    def Text(text: str) -> PageElement:
        """Name any element showing `text`, e.g. ``Text("Accept cookies?").exists()``."""
        return PageElement(browser, "text", text)

    return {
        function.__name__: function
        for function in (go_to, click, write, press, scroll_down, scroll_up, Link, Button, Text)
    }


class _BrowserTool(Tool):
    def __init__(self, browser: Browser) -> None:
        super().__init__()
        self.browser = browser


class GoBackTool(_BrowserTool):
    """Goes back to the previous page."""

    name = "go_back"
    description = "Goes back to the previous page."
    inputs: dict[str, dict[str, Any]] = {}
    output_type = "null"

    def forward(self) -> None:
        """Go back one page in the history."""

        def back(page: Any) -> None:
            page.go_back(wait_until="load")

        self.browser.run(back)


class ClosePopupsTool(_BrowserTool):
    """Closes visible modals and pop-ups."""

    name = "close_popups"
    description = (
        "Closes any visible modal or pop-up on the page. Use this to dismiss pop-up windows! "
        "It does not work on cookie consent banners."
    )
    inputs: dict[str, dict[str, Any]] = {}
    output_type = "string"

    def forward(self) -> str:
        """Press Escape, then click the close button of any pop-up still open."""
        return self.browser.run(_close_popups)


def _close_popups(page: Any) -> str:
    page.keyboard.press("Escape")
    closed = 0
    dialogs = page.locator(_DIALOGS)
    for index in range(dialogs.count()):
        dialog = dialogs.nth(index)
        if not dialog.is_visible():
            continue
        for name in _CLOSE_NAMES:
            button = dialog.get_by_role("button", name=name)
            if button.count() and button.first.is_visible():
                button.first.click(timeout=_FIND_TIMEOUT_MS)
                closed += 1
                break
    still_open = sum(dialogs.nth(i).is_visible() for i in range(dialogs.count()))
    if still_open:
        return f"Pressed Escape and closed {closed} pop-up(s); {still_open} still visible."
    return "No pop-up is visible any more."


class SearchOnPageTool(_BrowserTool):
    """Finds text on the page, like Ctrl+F, and scrolls to one occurrence."""

    name = "search_item_ctrl_f"
    description = "Searches for text on the current page via Ctrl + F and jumps to the nth occurrence."
    inputs = {
        "text": {"type": "string", "description": "The text to search for"},
        "nth_result": {
            "type": "integer",
            "description": "Which occurrence to jump to (default: 1)",
            "nullable": True,
        },
    }
    output_type = "string"

    def forward(self, text: str, nth_result: int | None = 1) -> str:
        """Scroll to occurrence `nth_result` of `text`; say how many there are."""
        nth = nth_result or 1

        def search(page: Any) -> str:
            matches = page.get_by_text(text)
            count = matches.count()
            if nth > count or nth < 1:
                raise LookupError(f"Match n°{nth} of {text!r} not found (only {count} matches found).")
            matches.nth(nth - 1).scroll_into_view_if_needed(timeout=_FIND_TIMEOUT_MS)
            return f"Found {count} matches for {text!r}. Focused on element {nth} of {count}."

        return self.browser.run(search)


class ScreenshotRecorder:
    """A step callback: after each step, a screenshot and the current URL become observations.

    Only the screenshots of the last `keep` steps stay in memory, so the model's context stays small.
    """

    def __init__(self, browser: Browser, keep: int = 2) -> None:
        self.browser = browser
        self.keep = keep
        self._with_images: list[ActionStep] = []

    def __call__(self, memory_step: ActionStep) -> None:
        """Attach a screenshot and the URL to `memory_step`."""

        def capture(page: Any) -> tuple[bytes, str]:
            _settle(page)
            try:
                png = page.screenshot(timeout=_SCREENSHOT_TIMEOUT_MS)
            except Exception:  # a navigation started by the page's own script raced the capture
                _settle(page)
                png = page.screenshot()
            return png, str(page.url)

        png, url = self.browser.run(capture)
        attach_screenshot(memory_step, png, url, self._with_images, self.keep)


def attach_screenshot(
    memory_step: ActionStep, png: bytes, url: str, recent: list[ActionStep], keep: int
) -> None:
    """Give `memory_step` the screenshot `png` and the line ``Current url: URL`` as observations.

    `recent` lists the steps holding a screenshot; beyond the last `keep`, their screenshots are
    dropped, so the model's context stays small.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image.load()
    memory_step.observations_images = [image]
    recent.append(memory_step)
    while len(recent) > keep:
        recent.pop(0).observations_images = None
    url_info = f"Current url: {url}"
    memory_step.observations = (
        f"{memory_step.observations}\n{url_info}" if memory_step.observations else url_info
    )
