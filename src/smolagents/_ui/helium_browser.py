"""The helium/Selenium browser of the `webagent` (1.26's browser, kept for code written for it).

The agent's code runs ``from helium import *`` and drives Chrome with helium's functions; the
tools search the page with XPath. Text a tool puts into an XPath expression comes from the model,
which may have read it on a hostile page: it is always quoted as an XPath string literal, never
spliced into the expression.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

from ..memory import ActionStep
from .browser import CHROMIUM_FLAGS
from .browser_tools import attach_screenshot

__all__ = ["HELIUM_INSTRUCTIONS", "HeliumScreenshots", "escape_xpath_string", "start_chrome"]

HELIUM_INSTRUCTIONS = """
You drive a real Chrome browser from your code with helium; `from helium import *` has already run
and the browser is open, so never start or close it yourself. For web search results, call your
web_search tool; use helium only to open and work with the pages themselves.
Open a page:
<code>
go_to('github.com/trending')
</code>
Click what shows a text, or a link with that text:
<code>
click("Top products")
click(Link("Top products"))
</code>
An element that is not on the page raises LookupError. Check first with
`Text('Accept cookies?').exists()`. Scroll with scroll_down(num_pixels=1200) or scroll_up(num_pixels=1200).
Close pop-ups with your close_popups tool rather than by clicking their close icon; get rid of
modals and cookie banners before clicking anything else. Use search_item_ctrl_f to find a text on the
page, and go_back to return to the previous page.
Act in small steps: after each step you get a screenshot of the browser and its URL, taken when your
code has finished (not in between). Read lists and tables from the screenshot or with
search_item_ctrl_f rather than with element-searching code. Never log in anywhere. If a page is still
loading, `import time` and wait a little with time.sleep, sparingly. When you have the answer:
<code>
final_answer("YOUR_ANSWER_HERE")
</code>
"""


def escape_xpath_string(text: str) -> str:
    """Return an XPath expression whose value is exactly `text` (a quoted literal, or ``concat()``).

    XPath 1.0 string literals cannot escape quotes: a text with only one kind of quote is wrapped
    in the other kind; a text with both is built with ``concat()`` from pieces split at the single
    quotes, each single quote given as ``"'"``.
    """
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    pieces: list[str] = []
    for index, piece in enumerate(text.split("'")):
        if index:
            pieces.append('"\'"')
        if piece:
            pieces.append(f"'{piece}'")
    return f"concat({', '.join(pieces)})"


def start_chrome(helium: Any, browser_path: str | None, headless: bool) -> Any:
    """Start Chrome (or Chromium at `browser_path`) through the `helium` module; return its Selenium driver."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for argument in (*CHROMIUM_FLAGS, "--window-size=1000,1350", "--window-position=0,0"):
        options.add_argument(argument)
    if browser_path is not None:
        options.binary_location = browser_path
    chromedriver = shutil.which("chromedriver")
    if chromedriver is not None:
        # A chromedriver on the PATH is used as is: Selenium Manager would otherwise go online to
        # check for a newer one (helium offers no other way to name the driver than this variable).
        os.environ.setdefault("SE_CHROMEDRIVER", chromedriver)
    return helium.start_chrome(headless=headless, options=options)


class HeliumScreenshots:
    """A step callback: after each step, a screenshot and the current URL become observations.

    Only the screenshots of the last `keep` steps stay in memory, so the model's context stays small.

    Args:
        get_driver: Returns the Selenium driver in use (None when the browser is gone).
        keep: How many recent steps keep their screenshot.
    """

    def __init__(self, get_driver: Callable[[], Any], keep: int = 2) -> None:
        self.get_driver = get_driver
        self.keep = keep
        self._with_images: list[ActionStep] = []

    def __call__(self, memory_step: ActionStep) -> None:
        """Attach a screenshot and the URL to `memory_step`."""
        driver = self.get_driver()
        if driver is not None:
            attach_screenshot(
                memory_step, driver.get_screenshot_as_png(), driver.current_url, self._with_images, self.keep
            )
