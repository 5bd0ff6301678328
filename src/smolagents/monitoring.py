"""Rendering of runs on the console, and run metrics.

`AgentLogger` is the only place that draws. The agent loop does not call it directly: the logger
subscribes to the run's events (`on_event`) and decides what to show at its level. `rich` is
imported on the first drawing, so a silent logger costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from ._errors import AgentError
from ._events import ApprovalRequested, ContextCompacted, RunFinished, RunStarted, StepStarted, ToolOutput
from ._messages import ChatMessageStreamDelta
from ._text import bounded_text
from ._usage import Timing, TokenUsage
from .memory import (
    ActionStep,
    AgentMemory,
    ContextSummaryStep,
    FinalAnswerStep,
    PlanningStep,
    TaskStep,
    ToolCall,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["AgentLogger", "LogLevel", "Monitor", "Timing", "TokenUsage"]

YELLOW_HEX = "#d4b702"
CODE_TOOL_NAME = "python_interpreter"


class LogLevel(IntEnum):
    """How much an `AgentLogger` shows."""

    OFF = -1
    ERROR = 0
    INFO = 1
    DEBUG = 2


def _as_level(level: LogLevel | int) -> LogLevel:
    """Return `level` as a `LogLevel`; other integers are clamped, as 1.26 compares them as numbers."""
    if isinstance(level, LogLevel):
        return level
    if not isinstance(level, int):
        raise TypeError(f"level must be a LogLevel or an int (e.g. LogLevel.INFO), got {level!r}.")
    return LogLevel(max(LogLevel.OFF, min(LogLevel.DEBUG, level)))


class AgentLogger:
    """Draws a run on a rich console: task panel, step rules, code, observations, errors, answer.

    Args:
        level: What to show; `LogLevel.OFF` shows nothing.
        console: A `rich.console.Console` to draw on (default: a new one on stdout).
    """

    def __init__(self, level: LogLevel | int = LogLevel.INFO, console: Console | None = None) -> None:
        self.level = _as_level(level)
        self._console = console
        self._mid_stream = False

    @property
    def console(self) -> Console:
        """The rich console drawn on, created on first use."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(highlight=False)
        return self._console

    def _shows(self, level: LogLevel | int) -> bool:
        return self.level >= level and self.level != LogLevel.OFF

    # -- primitives, usable directly ------------------------------------------------------------
    def log(self, *args: Any, level: LogLevel | int = LogLevel.INFO, **kwargs: Any) -> None:
        """Print `args` on the console when `level` is shown."""
        if self._shows(level):
            self.console.print(*args, **kwargs)

    def log_error(self, error_message: str) -> None:
        """Show an error in bold red."""
        if self._shows(LogLevel.ERROR):
            from rich.text import Text

            self.console.print(Text(error_message, style="bold red"))

    def log_markdown(
        self, content: str, title: str | None = None, level: LogLevel | int = LogLevel.INFO
    ) -> None:
        """Show markdown-ish text, with a rule titled `title` above it."""
        if not self._shows(level):
            return
        from rich.syntax import Syntax

        if title:
            self.log_rule(title, level=level)
        self.console.print(Syntax(content, lexer="markdown", theme="github-dark", word_wrap=True))

    def log_code(self, title: str, content: str, level: LogLevel | int = LogLevel.INFO) -> None:
        """Show code in a titled panel with line numbers."""
        if not self._shows(level):
            return
        from rich.panel import Panel
        from rich.text import Text

        # A regex colouring instead of pygments: a fifth of the cost, drawn at every step.
        self.console.print(
            Panel(_code_text(content), title=Text(title, style="bold"), title_align="left", box=_heavy_box())
        )

    def log_rule(self, title: str, level: LogLevel | int = LogLevel.INFO) -> None:
        """Draw a horizontal rule with a title."""
        if not self._shows(level):
            return
        from rich.rule import Rule

        self.console.print(Rule(f"[bold]{title}", characters="━", style=YELLOW_HEX))

    def log_task(
        self, content: Any, subtitle: Any, title: Any = None, level: LogLevel | int = LogLevel.INFO
    ) -> None:
        """Draw the panel that opens a run.

        The texts are shown as they are, never read as rich markup; a value that is not a string
        (bytes, a dict) is shown as text, with control characters made visible.
        """
        if not self._shows(level):
            return
        from rich.panel import Panel
        from rich.text import Text

        heading = "New run" + (f" - {_visible_text(title)}" if title else "")
        self.console.print(
            Panel(
                Text.assemble("\n", (_visible_text(content), "bold"), "\n"),
                title=Text(heading, style="bold"),
                subtitle=Text(_visible_text(subtitle)),
                border_style=YELLOW_HEX,
                subtitle_align="left",
            )
        )

    def visualize_agent_tree(self, agent: Any) -> None:
        """Draw the agent, its tools and its managed agents as a tree."""
        from rich.tree import Tree

        def add(tree: Tree, node: Any) -> None:
            tools = tree.add("[bold]Tools")
            for tool in node.tools.values():
                tools.add(
                    f"[bold]{tool.name}[/]: {tool.description.splitlines()[0] if tool.description else ''}"
                )
            if node.managed_agents:
                managed = tree.add("[bold]Managed agents")
                for name, child in node.managed_agents.items():
                    add(managed.add(f"[bold]{name}[/] ({type(child).__name__}): {child.description}"), child)

        root = Tree(
            f"[bold {YELLOW_HEX}]{type(agent).__name__}[/] {agent.name or ''} | {agent.model.model_id}"
        )
        add(root, agent)
        self.console.print(root)

    # -- events ------------------------------------------------------------------------------------
    def on_event(self, event: Any) -> None:
        """Render one event of a run, according to the level; streamed text is printed as it comes."""
        if self.level == LogLevel.OFF:
            return
        if self._mid_stream and not isinstance(event, ChatMessageStreamDelta):
            self.console.print()  # end the streamed line before drawing anything else
            self._mid_stream = False
        if isinstance(event, RunStarted):
            self.log_task(event.task, subtitle=event.model_label, title=event.agent_name or "")
        elif isinstance(event, StepStarted):
            if event.kind == "action":
                self.log_rule(f"Step {event.step_number}")
        elif isinstance(event, ToolCall):
            self._render_tool_call(event)
        elif isinstance(event, ToolOutput):
            self.log(
                f"Observation: {bounded_text(event.observation, 4000)}", level=LogLevel.INFO, markup=False
            )
        elif isinstance(event, ActionStep):
            self._render_action_step(event)
        elif isinstance(event, PlanningStep):
            self.log_markdown(event.plan, title="Plan", level=LogLevel.INFO)
            self._render_footer("Planning", event.timing, event.token_usage)
        elif isinstance(event, ApprovalRequested):
            request = event.request
            self.log(f"Approval needed ({request.id}): {request.reason}", level=LogLevel.INFO, markup=False)
        elif isinstance(event, RunFinished):
            if event.error is not None:
                return
            from rich.text import Text

            if event.status == "awaiting_approval":
                self.log(
                    Text(f"Run stopped: {event.output}", style=f"bold {YELLOW_HEX}"), level=LogLevel.INFO
                )
                return

            self.log(
                Text(f"Final answer: {bounded_text(event.output, 4000)}", style=f"bold {YELLOW_HEX}"),
                level=LogLevel.INFO,
            )
        elif isinstance(event, ChatMessageStreamDelta):
            if event.content and self._shows(LogLevel.INFO):
                self.console.print(event.content, end="", markup=False, highlight=False)
                self._mid_stream = True
        elif isinstance(event, FinalAnswerStep):
            pass  # the answer is drawn once, by RunFinished
        elif isinstance(event, (ContextSummaryStep, ContextCompacted)):
            self._render_context(event)

    def _render_context(self, event: ContextSummaryStep | ContextCompacted) -> None:
        """Show a summary of earlier steps, and (in detail, or when it does not fit) a cut prompt."""
        if isinstance(event, ContextSummaryStep):
            title = f"Summary of steps {event.first_step_number} to {event.last_step_number} (context policy)"
            self.log_markdown(event.summary, title=title, level=LogLevel.INFO)
            self._render_footer("Summary", event.timing, event.token_usage)
            return
        cuts = [
            f"{label} {_step_list(numbers)}"
            for label, numbers in (
                ("truncated observations of steps", event.truncated_steps),
                ("summarised steps", event.summarised_steps),
                ("left out steps", event.dropped_steps),
            )
            if numbers
        ]
        text = (
            f"Prompt cut to fit the context budget: {event.tokens_before} -> {event.tokens_after} tokens "
            f"(budget {event.budget}, counted by {event.counter}); {'; '.join(cuts) or 'nothing cut'}."
        )
        if event.fits:
            self.log(text, level=LogLevel.DEBUG, markup=False)
        else:
            self.log(
                text + " The latest steps alone exceed the budget: the model may refuse this prompt.",
                level=LogLevel.INFO,
                markup=False,
            )

    def _render_tool_call(self, call: ToolCall) -> None:
        if call.name == CODE_TOOL_NAME:
            self.log_code("Executing this code:", str(call.arguments), level=LogLevel.INFO)
        else:
            from rich.panel import Panel
            from rich.text import Text

            arguments = (
                json.dumps(call.arguments, default=str)
                if not isinstance(call.arguments, str)
                else call.arguments
            )
            self.log(
                Panel(Text(f"Calling tool: '{call.name}' with arguments: {arguments}")), level=LogLevel.INFO
            )

    def _render_action_step(self, step: ActionStep) -> None:
        if step.model_output and self._shows(LogLevel.DEBUG):
            text = step.model_output if isinstance(step.model_output, str) else str(step.model_output)
            self.log_markdown(text, title="Output message of the LLM:", level=LogLevel.DEBUG)
        from rich.text import Text

        # One print per event: each print pays rich's whole layout and write path.
        parts: list[Any] = []
        if step.code_action is not None and step.observations is not None and self._shows(LogLevel.INFO):
            # The observation holds the execution logs and the last output; model text is not markup.
            parts.append(Text(bounded_text(step.observations, 4000)))
        if step.error is not None and self._shows(LogLevel.ERROR):
            parts.append(Text(_error_text(step.error), style="bold red"))
        if self._shows(LogLevel.INFO):
            parts.append(_footer(f"Step {step.step_number}", step.timing, step.token_usage))
        if parts:
            from rich.console import Group

            self.console.print(Group(*parts))

    def _render_footer(self, label: str, timing: Timing, usage: TokenUsage | None) -> None:
        if self._shows(LogLevel.INFO):
            self.console.print(_footer(label, timing, usage))

    def replay(self, memory: AgentMemory, detailed: bool = False) -> None:
        """Render a finished run from its memory."""
        self.log_rule("Replaying the agent's steps")
        self.log_markdown(memory.system_prompt.system_prompt, title="System prompt", level=LogLevel.ERROR)
        for step in memory.steps:
            if isinstance(step, TaskStep):
                self.log_task(step.task, subtitle="", title="Task", level=LogLevel.ERROR)
            elif isinstance(step, ActionStep):
                self.log_rule(f"Step {step.step_number}", level=LogLevel.ERROR)
                if detailed and step.model_input_messages:
                    for message in step.model_input_messages:
                        self.log_markdown(message.text, title=f"Input ({message.role})", level=LogLevel.ERROR)
                if step.model_output is not None:
                    self.log_markdown(str(step.model_output), title="Model output", level=LogLevel.ERROR)
                if step.code_action:
                    self.log_code("Code", step.code_action, level=LogLevel.ERROR)
                if step.observations:
                    self.log(step.observations, level=LogLevel.ERROR, markup=False)
                if step.error:
                    self.log_error(_error_text(step.error))
            elif isinstance(step, PlanningStep):
                self.log_markdown(step.plan, title="Plan", level=LogLevel.ERROR)
            elif isinstance(step, ContextSummaryStep):
                title = f"Summary of steps {step.first_step_number} to {step.last_step_number}"
                self.log_markdown(step.summary, title=title, level=LogLevel.ERROR)


def _step_list(numbers: tuple[int, ...]) -> str:
    """Step numbers as ranges: (1, 2, 3, 7) -> '1-3, 7'."""
    ranges: list[list[int]] = []
    for number in numbers:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges)


class Monitor:
    """Run metrics: step durations and token totals.

    Args:
        tracked_model: The model whose calls are measured (kept for 1.26 code that reads it).
        logger: The logger of the agent.
        memory: The memory to read the metrics from, or a callable returning it (an agent's
            monitor follows its current conversation). Without one, the monitor tallies the
            steps given to `update_metrics` itself.
    """

    def __init__(
        self,
        tracked_model: Any = None,
        logger: AgentLogger | None = None,
        memory: AgentMemory | Callable[[], AgentMemory] | None = None,
    ) -> None:
        self.tracked_model = tracked_model
        self.logger = logger
        self._memory_source = memory
        self._tallied: list[Any] = []

    @property
    def memory(self) -> AgentMemory | None:
        """The memory the metrics are read from (None for a monitor that tallies steps itself)."""
        source = self._memory_source
        return source() if callable(source) else source

    def _steps(self) -> list[Any]:
        memory = self.memory
        return list(memory.steps) if memory is not None else self._tallied

    def update_metrics(self, step_log: Any) -> None:
        """Count a finished step (1.26 registers this as an action-step callback).

        A monitor reading a memory has nothing to do: the step is in that memory already.
        """
        if self._memory_source is None:
            self._tallied.append(step_log)

    @property
    def step_durations(self) -> list[float]:
        """Duration of each finished step, in seconds."""
        return [
            s.timing.duration
            for s in self._steps()
            if isinstance(s, (ActionStep, PlanningStep)) and s.timing.duration is not None
        ]

    def get_total_token_counts(self) -> TokenUsage:
        """Tokens read and written over the whole run."""
        memory = self.memory
        if memory is not None:
            return memory.token_usage
        usages = [s.token_usage for s in self._tallied if getattr(s, "token_usage", None) is not None]
        return TokenUsage(
            input_tokens=sum(u.input_tokens for u in usages),
            output_tokens=sum(u.output_tokens for u in usages),
        )

    @property
    def total_input_token_count(self) -> int:
        """Tokens the model read over the whole run (as 1.26's monitor counts them)."""
        return self.get_total_token_counts().input_tokens

    @property
    def total_output_token_count(self) -> int:
        """Tokens the model wrote over the whole run."""
        return self.get_total_token_counts().output_tokens

    def reset(self) -> None:
        """Forget the steps tallied by `update_metrics` (a memory-backed monitor reads its memory)."""
        self._tallied.clear()


def _visible_text(value: Any) -> str:
    """`value` as display text: bytes decoded, other objects via str, control characters escaped."""
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", errors="backslashreplace")
    else:
        text = value if isinstance(value, str) else str(value)
    return "".join(
        f"\\x{ord(char):02x}" if (ord(char) < 32 and char not in "\n\t") or ord(char) == 127 else char
        for char in text
    )


def _heavy_box() -> Any:
    from rich import box

    return box.HORIZONTALS


def _footer(label: str, timing: Timing, usage: TokenUsage | None) -> Any:
    from rich.text import Text

    parts = [label]
    if timing.duration is not None:
        parts.append(f"Duration {timing.duration:.2f} seconds")
    if usage is not None:
        parts.append(f"Input tokens: {usage.input_tokens:,} | Output tokens: {usage.output_tokens:,}")
    return Text(f"[{' | '.join(parts)}]", style="dim")


_PYTHON_TOKENS = (
    (r"#[^\n]*", "#75715e"),
    (r"(?:\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*')", "#e6db74"),
    (
        r"\b(?:False|None|True|and|as|assert|async|await|break|class|continue|def|del|elif|else|except|"
        r"finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|"
        r"with|yield)\b",
        "#f92672",
    ),
    (r"\b\d[\d_]*(?:\.\d+)?\b", "#ae81ff"),
)


def _code_text(code: str) -> Any:
    """Return `code` as a rich Text with line numbers and a light Python colouring."""
    from rich.text import Text

    lines = code.split("\n")
    width = len(str(len(lines)))
    text = Text("\n".join(f"{number:>{width}}  {line}" for number, line in enumerate(lines, 1)))
    for pattern, style in _PYTHON_TOKENS:
        text.highlight_regex(pattern, style)
    start = 0
    for line in lines:  # line numbers last: their style wins over the number colouring
        text.stylize("dim", start, start + width)
        start += width + 2 + len(line) + 1
    return text


def _error_text(error: AgentError) -> str:
    return f"Error in step: {error.message}"
