"""What the run machinery needs of an agent object, as a protocol (the classes live a layer above)."""

from __future__ import annotations

from typing import Any, Protocol

from .._messages import ChatMessage
from .prompts import PromptTemplates

__all__ = ["AgentLike"]


class AgentLike(Protocol):
    """The public surface of an agent that managed-agent calls and configuration checks use."""

    name: str | None
    description: str | None
    prompt_templates: PromptTemplates
    provide_run_summary: bool

    def write_memory_to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the latest conversation as chat messages (see `MultiStepAgent`)."""
        ...

    def run(
        self,
        task: str,
        stream: bool = False,
        reset: bool = True,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ) -> Any:
        """Run the agent (see `MultiStepAgent.run`)."""
        ...

    async def arun(
        self,
        task: str,
        stream: bool = False,
        reset: bool = True,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ) -> Any:
        """Run the agent asynchronously (see `MultiStepAgent.arun`)."""
        ...
