"""Prompt templates: their typed shape, the packaged defaults, and rendering with Jinja2."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, Literal, TypedDict, cast

__all__ = [
    "EMPTY_PROMPT_TEMPLATES",
    "FinalAnswerPromptTemplate",
    "ManagedAgentPromptTemplate",
    "PlanningPromptTemplate",
    "PromptTemplates",
    "default_prompt_templates",
    "populate_template",
]


class PlanningPromptTemplate(TypedDict):
    """Templates of the planning step."""

    initial_plan: str
    update_plan_pre_messages: str
    update_plan_post_messages: str


class ManagedAgentPromptTemplate(TypedDict):
    """Templates wrapping a managed agent's task and report."""

    task: str
    report: str


class FinalAnswerPromptTemplate(TypedDict):
    """Templates of the last call made when the step limit is reached."""

    pre_messages: str
    post_messages: str


class PromptTemplates(TypedDict, total=False):
    """All the templates an agent renders."""

    system_prompt: str
    planning: PlanningPromptTemplate
    managed_agent: ManagedAgentPromptTemplate
    final_answer: FinalAnswerPromptTemplate


AgentKind = Literal["code_agent", "toolcalling_agent"]


@functools.cache
def _load_yaml(name: str) -> dict[str, Any]:
    import yaml

    text = resources.files("smolagents.prompts").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def default_prompt_templates(kind: AgentKind) -> PromptTemplates:
    """Return a fresh copy of the packaged templates of an agent kind."""
    merged = {**_load_yaml("shared"), **_load_yaml(kind)}
    return cast(
        PromptTemplates,
        {
            "system_prompt": merged["system_prompt"],
            "planning": dict(merged["planning"]),
            "managed_agent": dict(merged["managed_agent"]),
            "final_answer": dict(merged["final_answer"]),
        },
    )


def complete_prompt_templates(
    kind: AgentKind, custom: PromptTemplates | dict[str, Any] | None
) -> PromptTemplates:
    """Fill the templates a user did not give with the defaults, and check the shape of the rest.

    Raises:
        ValueError: When a template is not a string or a section has unknown or missing keys.
    """
    templates = default_prompt_templates(kind)
    for key, value in (custom or {}).items():
        if key not in templates:
            raise ValueError(f"Unknown prompt template {key!r}: expected some of {sorted(templates)}.")
        default = templates[key]  # type: ignore[literal-required]  # key checked just above
        if isinstance(default, dict):
            if not isinstance(value, dict) or set(value) - set(default):
                raise ValueError(
                    f"Prompt template {key!r} must be a dict with keys among {sorted(default)}, got {value!r:.200}."
                )
            templates[key] = {**default, **value}  # type: ignore[literal-required]
        elif not isinstance(value, str):
            raise ValueError(f"Prompt template {key!r} must be a string, got {type(value).__name__}.")
        else:
            templates[key] = value  # type: ignore[literal-required]
    return templates


@functools.lru_cache(maxsize=256)
def _compile(template: str) -> Any:
    from jinja2 import Environment, StrictUndefined

    return Environment(undefined=StrictUndefined, keep_trailing_newline=False).from_string(template)


def populate_template(template: str, variables: dict[str, Any]) -> str:
    """Render a Jinja2 template; a variable it uses but was not given is an error.

    Raises:
        ValueError: Naming the missing variable and the ones available.
    """
    from jinja2 import TemplateError, UndefinedError

    try:
        rendered: str = _compile(template).render(**variables)
        return rendered
    except UndefinedError as error:
        raise ValueError(
            f"Prompt template uses an undefined variable ({error.message}); variables available: {sorted(variables)}."
        ) from error
    except TemplateError as error:
        raise ValueError(f"Prompt template could not be rendered: {error}") from error


EMPTY_PROMPT_TEMPLATES = PromptTemplates(
    system_prompt="",
    planning=PlanningPromptTemplate(
        initial_plan="", update_plan_pre_messages="", update_plan_post_messages=""
    ),
    managed_agent=ManagedAgentPromptTemplate(task="", report=""),
    final_answer=FinalAnswerPromptTemplate(pre_messages="", post_messages=""),
)
"""Prompt templates whose every text is empty: a base for building your own."""
