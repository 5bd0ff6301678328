"""`CodeAgent`: actions are Python code, run by an executor with the tools as functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._executors import factory as executor_factory
from . import configuration
from .code_actions import CODE_RESPONSE_FORMAT
from .config import (
    CodeAction,
    ExecutorSlot,
)
from .multistep import AGENT_REGISTRY, MultiStepAgent
from .prompts import (
    PromptTemplates,
)


class CodeAgent(MultiStepAgent):
    """An agent whose actions are Python code, run by an executor with the tools as functions.

    Args:
        additional_authorized_imports: Modules the code may import besides the safe base set;
            ``"pkg.*"`` authorises a package and its submodules, ``"*"`` any module.
        executor: An executor instance to use, shared by every session and run of this agent
            (their variables then mix: give each session its own agent, or use `executor_type`).
        executor_type: ``"local"`` (our interpreter) or a sandbox (see `EXECUTOR_TYPES`); each
            conversation of each session gets its own, released when the conversation ends
            (``reset``), when its session is collected, or by `cleanup()`.
        executor_kwargs: Keyword arguments for the executor built from `executor_type`.
        max_print_outputs_length: Cap on the printed output kept per step.
        use_structured_outputs_internally: Ask the model for ``{"thought", "code"}`` JSON.
        code_block_tags: The (opening, closing) tags the prompt asks for: default ``<code>`` and
            ``</code>`` (as in smolagents 1.26), ``"markdown"`` for ```` ```python ```` fences, or
            a pair of your own. ``<code>`` tags and markdown fences are always accepted too.
        code_requires_approval: Ask for approval before running code: True for every code action,
            or a predicate on the code. Code naming a tool that requires approval always asks.
        Other arguments: see `MultiStepAgent`.
    """

    _prompt_kind = "code_agent"

    def __init__(
        self,
        tools: list[Any],
        model: Any,
        prompt_templates: PromptTemplates | None = None,
        additional_authorized_imports: list[str] | None = None,
        planning_interval: int | None = None,
        executor: Any = None,
        executor_type: str = "local",
        executor_kwargs: dict[str, Any] | None = None,
        max_print_outputs_length: int | None = None,
        stream_outputs: bool = False,
        use_structured_outputs_internally: bool = False,
        code_block_tags: tuple[str, str] | str | None = None,
        code_requires_approval: bool | Callable[[str], bool] = False,
        **kwargs: Any,
    ) -> None:
        from ..local_python_executor import BASE_BUILTIN_MODULES

        self.additional_authorized_imports = list(additional_authorized_imports or ())
        self.authorized_imports = sorted(set(BASE_BUILTIN_MODULES) | set(self.additional_authorized_imports))
        self.code_block_tags = configuration.code_block_tags(code_block_tags)
        self.use_structured_outputs_internally = use_structured_outputs_internally
        self.code_requires_approval = code_requires_approval
        self.max_print_outputs_length = max_print_outputs_length
        executor_factory.check_executor_type(executor_type, executor)
        self.executor_type = executor_type
        self.executor_kwargs = dict(executor_kwargs or {})
        self._shared_executor = ExecutorSlot(executor)
        super().__init__(
            tools,
            model,
            prompt_templates,
            planning_interval=planning_interval,
            stream_outputs=stream_outputs,
            **kwargs,
        )
        if executor is None:  # refuse tools the sandbox cannot offer before anything runs
            executor_factory.check_tools(executor_type, {**self.tools, **self.managed_agents})

    def _action_settings(self) -> tuple[Any, ...]:
        return (
            tuple(self.additional_authorized_imports),
            self.code_block_tags,
            self.use_structured_outputs_internally,
            self.max_print_outputs_length,
            self.executor_type,
            tuple(self.executor_kwargs.items()),
            self.code_requires_approval,
        )

    def _action(self, callables: dict[str, Any]) -> CodeAction:
        opening, closing = self.code_block_tags
        return CodeAction(
            code_block_tags=self.code_block_tags,
            # A closing tag inside the opening one (``` in ```py) would stop the model at once.
            stop_sequences=("Observation:", "Calling tools:", *([closing] if closing not in opening else [])),
            response_format=CODE_RESPONSE_FORMAT if self.use_structured_outputs_internally else None,
            additional_authorized_imports=tuple(self.additional_authorized_imports),
            max_print_outputs_length=self.max_print_outputs_length,
            executor_type=self.executor_type,
            executor_kwargs=dict(self.executor_kwargs),
            shared_executor=self._shared_executor,
            needs_thread=bool(self.managed_agents)
            or any(getattr(tool, "is_async", False) for tool in self.tools.values()),
            requires_approval=self.code_requires_approval,
        )

    def _prompt_variables(self, callables: dict[str, Any]) -> dict[str, Any]:
        imports = "any module" if "*" in self.authorized_imports else ", ".join(self.authorized_imports)
        return super()._prompt_variables(callables) | {
            "authorized_imports": imports,
            "code_block_opening_tag": self.code_block_tags[0],
            "code_block_closing_tag": self.code_block_tags[1],
        }

    @property
    def python_executor(self) -> Any:
        """The executor of the latest run (or the one given as `executor=`); None before a run."""
        run = self._session.latest_run
        if run is not None and run.executor is not None:
            return run.executor
        return self._shared_executor.executor

    def cleanup(self) -> None:
        """Release every sandbox of this agent's sessions, and the executor given as `executor=`.

        A session that runs again afterwards starts a new sandbox (the local interpreter holds nothing).
        """
        self._shared_executor.release_all()

    def __enter__(self) -> CodeAgent:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


AGENT_REGISTRY["CodeAgent"] = CodeAgent
