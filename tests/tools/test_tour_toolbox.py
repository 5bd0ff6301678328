"""The guided tour's toolbox and multi-agent examples, verbatim, with the scripted model for the LLM
and the web search pointed at a loopback server through its environment variable."""

from __future__ import annotations

import textwrap
from typing import Any

import provider_pages as pages
import pytest
from loopback_site import LoopbackSite, Reply

import smolagents
from smolagents import ActionStep, ScriptedModel


def run_snippet(source: str) -> dict[str, Any]:
    scope: dict[str, Any] = {"__name__": "tour"}
    exec(compile(textwrap.dedent(source), "<guided_tour>", "exec"), scope)
    return scope


@pytest.fixture
def search_site(site: LoopbackSite, monkeypatch: pytest.MonkeyPatch) -> LoopbackSite:
    site.route("/lite/", Reply(body=pages.DUCKDUCKGO_LITE))
    monkeypatch.setenv("SMOLAGENTS_DUCKDUCKGO_URL", site.url("/lite/"))
    return site


def test_tour_default_toolbox_search_example(
    search_site: LoopbackSite, capsys: pytest.CaptureFixture[str]
) -> None:
    run_snippet(
        """
        # !pip install 'smolagents[toolkit]'
        from smolagents import WebSearchTool

        search_tool = WebSearchTool()
        print(search_tool("Who's the current president of Russia?"))
        """
    )
    printed = capsys.readouterr().out
    assert printed.startswith("## Search Results\n\n1. [Hugging Face")
    assert search_site.requests[0].query == {"q": "Who's the current president of Russia?"}


def test_tour_multi_agent_example_with_web_search(
    search_site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = ScriptedModel(
        [
            "Thought: delegate.\n```py\nreport = web_search_agent(task='Who is the CEO of Hugging Face?')\nprint(report)\n```",
            "Thought: search.\n```py\nprint(web_search(query='Hugging Face CEO'))\n```",
            "Thought: the company page says it.\n```py\nfinal_answer('Clem Delangue')\n```",
            "Thought: got it.\n```py\nfinal_answer('Clem Delangue')\n```",
        ]
    )
    monkeypatch.setattr(smolagents, "InferenceClientModel", lambda *args, **kwargs: model)
    scope = run_snippet(
        """
        from smolagents import CodeAgent, InferenceClientModel, WebSearchTool

        model = InferenceClientModel()

        web_agent = CodeAgent(
            tools=[WebSearchTool()],
            model=model,
            name="web_search_agent",
            description="Runs web searches for you. Give it your query as an argument."
        )

        manager_agent = CodeAgent(
            tools=[], model=model, managed_agents=[web_agent]
        )

        manager_agent.run("Who is the CEO of Hugging Face?")
        """
    )
    web_agent = scope["web_agent"]
    searched = next(step for step in web_agent.memory.steps if isinstance(step, ActionStep))
    assert "1. [Hugging Face" in searched.observations
    assert scope["manager_agent"].memory.steps[-1].action_output == "Clem Delangue"
    assert search_site.requests[0].query == {"q": "Hugging Face CEO"}


def test_tour_add_base_tools_lists_the_toolbox_in_the_prompt() -> None:
    model = ScriptedModel(["```py\nfinal_answer(1)\n```"])
    agent = smolagents.CodeAgent(tools=[], model=model, add_base_tools=True)
    agent.run("t")
    prompt = model.calls[0].messages[0].text
    for name in ("web_search", "visit_webpage", "transcriber"):
        assert f"def {name}(" in prompt
