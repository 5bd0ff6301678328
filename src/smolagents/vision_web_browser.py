"""The `webagent` command: an agent that browses the web in Chromium and sees each page.

    webagent "Find the opening hours of the Louvre" --model-type LiteLLMModel --model-id gpt-4o

The agent's code drives the page (`go_to`, `click`, `write`, `press`, `scroll_down`...) and calls
the tools `go_back`, `close_popups` and `search_item_ctrl_f`; after every step it gets a
screenshot of the page and its URL. Chromium runs through Playwright (the `browser` extra), using
the Chromium installed on the system; no browser download is needed.

Without Playwright, or with ``--backend helium``, the agent runs 1.26's way: helium and Selenium
(the `vision` extra) drive Chrome, and the agent's code starts with ``from helium import *``. The
names of that mode (`helium_instructions`, `search_item_ctrl_f`, `go_back`, `close_popups`,
`save_screenshot`, `initialize_driver`, the module's `driver`) are those of 1.26.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._ui.browser import Browser, BrowserUnavailableError, find_chromium
from ._ui.browser_tools import (
    ClosePopupsTool,
    GoBackTool,
    ScreenshotRecorder,
    SearchOnPageTool,
    page_functions,
)
from ._ui.helium_browser import HELIUM_INSTRUCTIONS, HeliumScreenshots, escape_xpath_string, start_chrome
from .agents import CodeAgent
from .cli import fail
from .cli import load_model as load_model
from .tools.decorator import tool

try:  # the helium browser (the `vision` extra); module-level, as in 1.26, so that it can be patched
    import helium
except ImportError:
    helium = None

if TYPE_CHECKING:
    from .memory import ActionStep
    from .models.base import Model

__all__ = [
    "BACKENDS",
    "BROWSER_INSTRUCTIONS",
    "close_popups",
    "go_back",
    "helium_instructions",
    "initialize_agent",
    "initialize_driver",
    "main",
    "parse_arguments",
    "run_webagent",
    "save_screenshot",
    "search_item_ctrl_f",
]

BACKENDS = ("playwright", "helium")
helium_instructions = HELIUM_INSTRUCTIONS
driver: Any = None
"""The Selenium driver of the helium browser while a helium run goes on (None otherwise)."""

_escape_xpath_string = escape_xpath_string  # 1.26's name

EXAMPLE_TASK = (
    'Please navigate to https://en.wikipedia.org/wiki/Chicago and give me a sentence containing the word "1992" '
    "that mentions a construction accident."
)

BROWSER_INSTRUCTIONS = """\
You are driving a real web browser from your code. The browser is already open. After each of your
steps you receive a screenshot of the page and its current URL: look at it before acting again.

These functions are ready in your code (no import needed):
- go_to(url): open a page, e.g. go_to('github.com/trending').
- click(text): click what shows this text; click(Link(text)) for a link, click(Button(text)) for a button.
  If no such element is on the page, it raises LookupError.
- write(text, into=label): type into the field with this label or placeholder; write(text) types
  into the focused field. press("Enter") submits, press("Tab") moves on.
- scroll_down(num_pixels=1200) and scroll_up(num_pixels=1200) scroll by that many pixels.
- Text(text).exists() or Link(text).exists() tell whether something is on the page.

Tools: close_popups() dismisses modal windows (use it instead of looking for their close button);
search_item_ctrl_f(text, nth_result=1) scrolls to a text on the page; go_back() returns to the
previous page.

Work in small steps: one or two actions, then stop and look at the new screenshot. Read the page
from the screenshot or with search_item_ctrl_f instead of writing code that parses the page. Get rid
of pop-ups before clicking anything else. Never log in anywhere. When you know the answer, call
final_answer with it.
"""


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line (default: `sys.argv`)."""
    parser = argparse.ArgumentParser(
        prog="webagent", description="Run an agent that browses the web in Chromium."
    )
    parser.add_argument("prompt", nargs="?", default=EXAMPLE_TASK, help="The task for the agent.")
    parser.add_argument(
        "--model-type", default="LiteLLMModel", help="The model class (default: LiteLLMModel)."
    )
    parser.add_argument("--model-id", default="gpt-4o", help="A model that reads images (default: gpt-4o).")
    parser.add_argument("--provider", default=None, help="The inference provider (InferenceClientModel).")
    parser.add_argument("--api-base", default=None, help="The URL of the model's server.")
    parser.add_argument("--api-key", default=None, help="The API key of the model's server.")
    parser.add_argument(
        "--browser-path", default=None, help="The Chromium executable (default: found on PATH)."
    )
    parser.add_argument(
        "--show-browser",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Show the browser window (default: when a display is available).",
    )
    parser.add_argument(
        "--max-steps", type=int, default=20, help="Most steps the agent may take (default: 20)."
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="How the browser is driven: playwright, or helium (Selenium, as in 1.26). Default: "
        "playwright when installed, else helium.",
    )
    return parser.parse_args(argv)


@tool
def search_item_ctrl_f(text: str, nth_result: int = 1) -> str:
    """
    Searches for text on the current page via Ctrl + F and jumps to the nth occurrence.

    Args:
        text: The text to search for
        nth_result: Which occurrence to jump to (default: 1)
    """
    from selenium.webdriver.common.by import By

    # The text is quoted as an XPath literal: a text that closes the quote cannot add to the query.
    elements = driver.find_elements(By.XPATH, f"//*[contains(text(), {escape_xpath_string(text)})]")
    if nth_result > len(elements):
        raise Exception(f"Match n°{nth_result} not found (only {len(elements)} matches found)")
    driver.execute_script("arguments[0].scrollIntoView(true);", elements[nth_result - 1])
    return f"Found {len(elements)} matches for '{text}'. Focused on element {nth_result} of {len(elements)}"


@tool
def go_back() -> None:
    """Goes back to previous page."""
    driver.back()


@tool
def close_popups() -> str:
    """
    Closes any visible modal or pop-up on the page. Use this to dismiss pop-up windows! This does not work on cookie consent banners.
    """
    from selenium import webdriver
    from selenium.webdriver.common.keys import Keys

    webdriver.ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    return "Pressed Escape to close pop-ups."


_screenshots = HeliumScreenshots(lambda: driver)


def save_screenshot(memory_step: ActionStep, agent: CodeAgent | None = None) -> None:
    """Step callback of the helium agent: a screenshot and the URL of the page become observations."""
    _screenshots(memory_step)


def _helium_functions() -> dict[str, Any]:
    """Return what ``from helium import *`` gives: helium's public functions and classes."""
    if not isinstance(helium, types.ModuleType):  # not installed (or replaced by a test double)
        return {}
    return {
        name: value
        for name, value in vars(helium).items()
        if not name.startswith("_") and callable(value) and not isinstance(value, types.ModuleType)
    }


def initialize_driver(browser_path: str | None = None, headless: bool = False) -> Any:
    """Start Chrome through helium and return its Selenium driver."""
    if helium is None:
        raise ImportError("The helium browser needs helium and selenium: pip install 'smolagents[vision]'.")
    return start_chrome(helium, browser_path, headless)


def initialize_agent(
    model: Model, browser: Browser | None = None, max_steps: int = 20, verbosity_level: int = 2
) -> CodeAgent:
    """Build the browsing agent: page functions for its code, browser tools, a screenshot after each step.

    Without `browser`, builds the helium agent (1.26's): its code imports helium, its tools use `driver`.
    """
    from .default_tools import TOOL_MAPPING

    if browser is None:
        # helium's functions are in the code's namespace from the start, as `from helium import *`
        # would put them (the agent's executor is only created when its run starts).
        return CodeAgent(
            tools=[TOOL_MAPPING["web_search"](), go_back, close_popups, search_item_ctrl_f],
            model=model,
            additional_authorized_imports=["helium"],
            executor_kwargs={"additional_functions": _helium_functions()},
            step_callbacks=[save_screenshot],
            max_steps=max_steps,
            verbosity_level=verbosity_level,
        )
    tools: list[Any] = [GoBackTool(browser), ClosePopupsTool(browser), SearchOnPageTool(browser)]
    if "web_search" in TOOL_MAPPING:
        tools.insert(0, TOOL_MAPPING["web_search"]())
    return CodeAgent(
        tools=tools,
        model=model,
        instructions=BROWSER_INSTRUCTIONS,
        executor_kwargs={"additional_functions": page_functions(browser)},
        step_callbacks=[ScreenshotRecorder(browser)],
        max_steps=max_steps,
        verbosity_level=verbosity_level,
    )


def run_webagent(
    prompt: str,
    model_type: str,
    model_id: str,
    provider: str | None = None,
    api_base: str | None = None,
    api_key: str | None = None,
    browser_path: str | None = None,
    show_browser: bool | None = None,
    max_steps: int = 20,
    backend: str | None = None,
) -> Any:
    """Start Chromium, run the browsing agent on `prompt`, close the browser; return the answer.

    Args:
        backend: ``"playwright"`` or ``"helium"`` (default: playwright when installed, else helium).
    """
    global driver
    backend = backend or (
        "playwright" if importlib.util.find_spec("playwright") or helium is None else "helium"
    )
    if backend not in BACKENDS:
        raise ValueError(f"Unknown browser backend {backend!r}: use one of {', '.join(BACKENDS)}.")
    model = load_model(model_type, model_id, api_base=api_base, api_key=api_key, provider=provider)
    if show_browser is None:
        show_browser = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if backend == "helium":
        driver = initialize_driver(find_chromium(browser_path), headless=not show_browser)
        try:
            agent = initialize_agent(model, max_steps=max_steps)
            if agent.python_executor is not None:  # an executor given to the agent: prepare it as 1.26 does
                agent.python_executor("from helium import *")
            return agent.run(prompt + helium_instructions)
        finally:
            driver.quit()  # no browser outlives its run
            driver = None
    with Browser(find_chromium(browser_path), headless=not show_browser) as browser:
        return initialize_agent(model, browser, max_steps=max_steps).run(prompt)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `webagent` command; returns the exit status."""
    from ._ui.model_loading import CommandLineError

    args = parse_arguments(argv)
    try:
        run_webagent(
            args.prompt,
            args.model_type,
            args.model_id,
            provider=args.provider,
            api_base=args.api_base,
            api_key=args.api_key,
            browser_path=args.browser_path,
            show_browser=args.show_browser,
            max_steps=args.max_steps,
            backend=args.backend,
        )
    except (CommandLineError, BrowserUnavailableError, ImportError) as error:
        return fail(str(error), status=2, program="webagent")
    except KeyboardInterrupt:
        return fail("Interrupted.", status=130, program="webagent")
    except Exception as error:  # a failed run: one line, not a traceback
        return fail(f"The run failed: {type(error).__name__}: {error}", status=1, program="webagent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
