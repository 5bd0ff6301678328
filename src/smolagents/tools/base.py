"""The `Tool` base class: a function an agent can call, described for the model."""

from __future__ import annotations

import inspect
import threading
from abc import ABC, ABCMeta, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from ..agent_types import handle_agent_input_types, handle_agent_output_types
from .definition import check_tool_definition
from .errors import ToolDefinitionError
from .rendering import to_code_prompt, to_tool_calling_prompt
from .schema import AUTHORIZED_TYPES

__all__ = ["AUTHORIZED_TYPES", "BaseTool", "Tool", "ToolDefinitionError"]


class _ToolMeta(ABCMeta):
    """Checks each tool instance once its `__init__` (and any subclass `__init__`) has finished.

    As in smolagents 1.26, a tool is checked when instantiated, not when its class is defined: a
    module may define an incomplete tool class (a base, or one that `validate_tool_attributes`
    is meant to report) without failing at import. It derives from `ABCMeta` so that tool bases
    may also inherit from `abc.ABC`.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        instance = super().__call__(*args, **kwargs)
        check_tool_definition(instance)
        return instance


class BaseTool(ABC):
    """What every tool offers: a `name` and a call. Subclass `Tool` to write one."""

    name: str

    @abstractmethod
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the tool."""


class Tool(BaseTool, metaclass=_ToolMeta):
    """A function an agent can call, described for the model.

    Subclasses set the class attributes below and implement `forward` (sync or ``async def``)
    taking exactly the arguments named in `inputs`. The definition is checked when the tool is
    instantiated (as in smolagents 1.26); mistakes raise `ToolDefinitionError` naming the tool
    and the argument.

    Attributes:
        name: How the model calls the tool; a Python identifier.
        description: What the tool does and returns, for the model.
        inputs: ``{argument: {"type": ..., "description": ..., "nullable": bool?}}``; the type is
            one of `AUTHORIZED_TYPES` or a list of them.
        output_type: One of `AUTHORIZED_TYPES`.
        output_schema: Optional JSON schema of a structured output, shown to the model.
        skip_forward_signature_validation: Set to True for tools whose `forward` takes `**kwargs`
            built at run time (adapters), to skip matching its signature against `inputs`.
        requires_approval: Whether a call waits for a person's approval before it runs: True,
            or a method taking the call's arguments (a dict) and returning whether this call
            needs it. Agents then publish `ApprovalRequested` and ask their approval callback, or
            stop awaiting approval (see `MultiStepAgent.resume`).
    """

    # Plain (not ClassVar) annotations: tools built at run time set these on the instance. The
    # four definition attributes have no default, so that forgetting one is reported (1.26 does).
    name: str
    description: str
    inputs: dict[str, dict[str, Any]]
    output_type: str
    output_schema: dict[str, Any] | None = None
    skip_forward_signature_validation: ClassVar[bool] = False
    is_initialized: bool = False
    # A class attribute (a literal, which 1.26 saves and loads) or a method on the arguments.
    requires_approval: bool | Callable[[dict[str, Any]], bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.is_initialized = False

    @property
    def is_async(self) -> bool:
        """Whether the tool's work is a coroutine: an ``async def forward``, or an ``async def aforward``.

        Tools of this library that do I/O define ``async def aforward`` and a sync `forward` that runs
        it, so that ``tool.forward(...)`` returns the result as in smolagents 1.26 while agents await
        `aforward`.
        """
        return inspect.iscoroutinefunction(self.forward) or inspect.iscoroutinefunction(
            getattr(self, "aforward", None)
        )

    def run_aforward(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``await self.aforward(...)`` to completion from sync code; a sync `forward` delegates here."""
        aforward = getattr(self, "aforward", None)
        if aforward is None:
            raise NotImplementedError(f"Tool {self.name!r} has no aforward() to run.")
        return _run_to_completion(self.name, aforward, args, kwargs)

    def setup(self) -> None:
        """Prepare expensive state (load a model...) once, before the first call. Override when needed."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Do the tool's work; subclasses implement it with the parameters named in `inputs`."""
        raise NotImplementedError(f"Tool {self.name!r} must implement forward().")

    def __call__(self, *args: Any, sanitize_inputs_outputs: bool = False, **kwargs: Any) -> Any:
        """Call the tool and return its output.

        Args:
            *args: Positional arguments for `forward`; a single dict whose keys are inputs of
                the tool is spread as keyword arguments.
            sanitize_inputs_outputs: Convert `AgentType` arguments to raw values and the output
                to the `AgentType` matching `output_type`.
            **kwargs: Keyword arguments for `forward`.

        An async tool runs to completion here; inside a running event loop it runs on a helper
        thread while this one waits (prefer ``await tool.acall(...)`` in async code).
        """
        args, kwargs = self._prepare_call(args, kwargs, sanitize_inputs_outputs)
        if inspect.iscoroutinefunction(self.forward):
            result = _run_to_completion(self.name, self.forward, args, kwargs)
        else:
            result = self.forward(*args, **kwargs)
            if inspect.isawaitable(result):
                result = _run_to_completion(self.name, _await, (result,), {})
        return handle_agent_output_types(result, self.output_type) if sanitize_inputs_outputs else result

    async def acall(self, *args: Any, sanitize_inputs_outputs: bool = False, **kwargs: Any) -> Any:
        """Call the tool from async code: await an async tool, run a sync one directly.

        Takes the same arguments as `__call__`.
        """
        args, kwargs = self._prepare_call(args, kwargs, sanitize_inputs_outputs)
        aforward = getattr(self, "aforward", None)
        if inspect.iscoroutinefunction(aforward):
            result = await aforward(*args, **kwargs)
        else:
            result = self.forward(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return handle_agent_output_types(result, self.output_type) if sanitize_inputs_outputs else result

    def _prepare_call(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], sanitize: bool
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        self._ensure_setup()
        if len(args) == 1 and not kwargs and isinstance(args[0], dict):
            candidate = args[0]
            if (candidate or not self.inputs) and all(key in self.inputs for key in candidate):
                args, kwargs = (), dict(candidate)
        if sanitize:
            args, kwargs = handle_agent_input_types(*args, **kwargs)
        return args, kwargs

    def _ensure_setup(self) -> None:
        if self.is_initialized:
            return
        # Concurrent first calls (parallel tool calls) must not run setup() twice.
        lock = self.__dict__.setdefault("_setup_lock", threading.Lock())
        with lock:
            if not self.is_initialized:
                self.setup()
                self.is_initialized = True

    def to_code_prompt(self) -> str:
        """Return the tool as a Python function stub (signature and docstring) for a CodeAgent prompt."""
        return to_code_prompt(self)

    def to_tool_calling_prompt(self) -> str:
        """Return the tool's name, description, inputs and output type as text for a tool-calling prompt."""
        return to_tool_calling_prompt(self)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description of the tool, with its source `code` and `requirements`.

        Raises:
            ToolDefinitionError: If the tool's source cannot be found (defined in a REPL) or uses
                names that cannot be written into standalone code.
        """
        from .source import tool_to_dict

        return tool_to_dict(self)

    @classmethod
    def from_dict(cls, tool_dict: dict[str, Any], **kwargs: Any) -> Tool:
        """Rebuild a tool from `to_dict()` output; this runs its code, so only load trusted dicts.

        Args:
            tool_dict: A dict with at least ``code``; ``name``, ``description``, ``inputs`` and
                ``output_type`` override the values in the code when present.
            **kwargs: Passed to the tool's constructor.
        """
        from .source import tool_from_dict

        return tool_from_dict(tool_dict, **kwargs)

    @classmethod
    def from_code(cls, tool_code: str, **kwargs: Any) -> Tool:
        """Run trusted Python code defining one tool (a Tool subclass or an @tool function) and return it.

        Args:
            tool_code: The code, e.g. the content of a ``tool.py`` written by `save`.
            **kwargs: Passed to the tool class's constructor.
        """
        from .source import tool_from_code

        return tool_from_code(tool_code, **kwargs)

    def save(self, output_dir: str | Any, tool_file_name: str = "tool", make_gradio_app: bool = True) -> None:
        """Write the tool's code to ``<output_dir>/<tool_file_name>.py``, in the format of smolagents 1.26.

        Args:
            output_dir: The folder to write to; created if missing.
            tool_file_name: The name of the code file, without ``.py``.
            make_gradio_app: Also write ``app.py`` (a Gradio demo of the tool, for a Space) and
                ``requirements.txt``.
        """
        from .source import save_tool

        save_tool(self, output_dir, tool_file_name=tool_file_name, make_gradio_app=make_gradio_app)

    def push_to_hub(
        self,
        repo_id: str,
        commit_message: str = "Upload tool",
        private: bool | None = None,
        token: str | bool | None = None,
        create_pr: bool = False,
    ) -> str:
        """Upload the tool to a Hugging Face Hub Space and return the commit URL."""
        from .hub import push_tool_to_hub

        return push_tool_to_hub(
            self, repo_id, commit_message, private=private, token=token, create_pr=create_pr
        )

    @classmethod
    def from_hub(
        cls, repo_id: str, token: str | None = None, trust_remote_code: bool = False, **kwargs: Any
    ) -> Tool:
        """Download a tool's ``tool.py`` from a Hub Space and load it; needs ``trust_remote_code=True``."""
        from .hub import tool_from_hub

        return tool_from_hub(repo_id, token=token, trust_remote_code=trust_remote_code, **kwargs)

    @staticmethod
    def from_space(
        space_id: str,
        name: str,
        description: str = "",
        api_name: str | None = None,
        token: str | None = None,
    ) -> Tool:
        """Wrap an endpoint of a Gradio Space (a Space id, or the URL of any Gradio app) as a tool.

        Args:
            space_id: The Space, e.g. ``"black-forest-labs/FLUX.1-schnell"``, or a URL.
            name: The tool's name.
            description: What the tool does (default: the endpoint's own description).
            api_name: The endpoint, e.g. ``"/predict"`` (default: the first one).
            token: A Hub token, for private Spaces.
        """
        from .hub import tool_from_space

        return tool_from_space(space_id, name, description, api_name=api_name, token=token)

    @staticmethod
    def from_gradio(gradio_tool: Any) -> Tool:
        """Wrap a `gradio_tools` tool (an object with ``name``, ``description`` and ``run``)."""
        from .hub import tool_from_gradio

        return tool_from_gradio(gradio_tool)

    @staticmethod
    def from_langchain(langchain_tool: Any) -> Tool:
        """Wrap a LangChain tool (a langchain-core ``BaseTool``, sync or async), mapping its args schema."""
        from .hub import tool_from_langchain

        return tool_from_langchain(langchain_tool)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={getattr(self, 'name', None)!r})"


def _run_to_completion(tool_name: str, function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run an async call to completion from sync code.

    When this thread already runs an event loop (a notebook cell, or sync code called from async
    code), the call runs on a helper thread's own loop while this thread waits, as `agent.run`
    does there.
    """
    import asyncio  # only async tools need it; keeps `import smolagents.tools` light

    # Loops and threads of ours: daemon workers, so a call that never returns cannot block exit.
    from .._threads import run_coroutine, submit

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_coroutine(function(*args, **kwargs))
    return submit(lambda: run_coroutine(function(*args, **kwargs))).result()


async def _await(awaitable: Any) -> Any:
    return await awaitable
