"""Features shared by both agent kinds: planning, callbacks, checks, memory, async runs."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from agent_helpers import code

from smolagents import (
    ActionStep,
    AgentError,
    AgentGenerationError,
    AgentInterruptedError,
    AgentLogger,
    AgentMemory,
    ChatMessage,
    CodeAgent,
    FinalAnswerStep,
    LogLevel,
    MessageRole,
    PlanningStep,
    ScriptedModel,
    TaskStep,
    ToolCallingAgent,
    tool_call_message,
)


def test_planning_runs_at_the_first_step_and_every_interval(quiet) -> None:
    model = ScriptedModel(
        [
            "## 1. Facts\nnone\n## 2. Plan\n1. print\n<end_plan>",
            code("print(1)"),
            code("print(2)"),
            "## 2. Plan\nfinish now",
            code("final_answer('planned')"),
        ]
    )
    agent = CodeAgent(tools=[], model=model, logger=quiet, planning_interval=2)
    assert agent.run("t") == "planned"
    kinds = [type(step).__name__ for step in agent.memory.steps]
    assert kinds == ["TaskStep", "PlanningStep", "ActionStep", "ActionStep", "PlanningStep", "ActionStep"]
    first_plan = agent.memory.steps[1]
    assert first_plan.plan.endswith("1. print")  # cut at <end_plan>
    assert "You have 18 steps left" in model.calls[3].messages[-1].text  # before step 3 of 20
    assert "Now carry out this plan" in model.calls[1].messages[-1].text


def test_step_callbacks_list_runs_for_action_steps_with_the_agent(quiet) -> None:
    seen: list[tuple[int, str]] = []

    def record(step: ActionStep, agent: CodeAgent) -> None:
        seen.append((step.step_number, type(agent).__name__))

    model = ScriptedModel([code("print(1)"), code("final_answer(2)")])
    CodeAgent(tools=[], model=model, logger=quiet, step_callbacks=[record]).run("t")
    assert seen == [(1, "CodeAgent"), (2, "CodeAgent")]


def test_step_callbacks_dict_dispatches_by_step_type(quiet) -> None:
    plans: list[str] = []
    actions: list[int] = []
    model = ScriptedModel(["plan A<end_plan>", code("final_answer(1)")])
    agent = CodeAgent(
        tools=[],
        model=model,
        logger=quiet,
        planning_interval=5,
        step_callbacks={
            PlanningStep: lambda step: plans.append(step.plan),
            ActionStep: [lambda s: actions.append(s.step_number)],
        },
    )
    agent.run("t")
    assert plans == ["plan A"] and actions == [1]


def test_tour_final_answer_check_rejects_then_accepts(quiet) -> None:
    def is_integer(final_answer: str, agent_memory=None) -> bool:
        """Return True if final_answer is an integer."""
        try:
            int(final_answer)
            return True
        except ValueError:
            return False

    model = ScriptedModel([code("final_answer('twenty-one')"), code("final_answer('21')")])
    agent = CodeAgent(tools=[], model=model, logger=quiet, final_answer_checks=[is_integer])
    assert agent.run("Calculate the least common multiple of 3 and 7") == "21"
    first = next(s for s in agent.memory.steps if isinstance(s, ActionStep))
    assert isinstance(first.error, AgentError) and "is_integer" in first.error.message
    assert not first.is_final_answer


def test_final_answer_check_receives_memory_and_agent(quiet) -> None:
    received = {}

    def check(answer, memory, agent=None) -> bool:
        received.update(answer=answer, memory=memory, agent=agent)
        return True

    model = ScriptedModel([code("final_answer(5)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet, final_answer_checks=[check])
    agent.run("t")
    assert received["answer"] == 5 and received["memory"] is agent.memory and received["agent"] is agent


def test_interrupt_stops_the_run_at_the_end_of_the_step(quiet) -> None:
    model = ScriptedModel([code("print(1)"), code("final_answer(1)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    agent.step_callbacks.register(ActionStep, lambda step, agent: agent.interrupt())
    with pytest.raises(AgentInterruptedError):
        agent.run("t")
    assert len([s for s in agent.memory.steps if isinstance(s, ActionStep)]) == 1
    assert model.remaining == 1


def test_model_failure_ends_the_run_and_memory_keeps_every_step(quiet) -> None:
    model = ScriptedModel([code("x = 1\nprint(x)"), ConnectionError("provider down")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    with pytest.raises(AgentGenerationError, match="ConnectionError: provider down"):
        agent.run("t")
    action = [s for s in agent.memory.steps if isinstance(s, ActionStep)]
    assert len(action) == 2 and action[0].error is None
    assert isinstance(action[1].error, AgentGenerationError)


def test_write_memory_to_messages_and_logs_view(quiet) -> None:
    model = ScriptedModel([code("print('hi')"), code("final_answer(1)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    agent.run("Say hi")
    messages = agent.write_memory_to_messages()
    assert messages[0].role == MessageRole.SYSTEM
    assert messages[1].role == MessageRole.USER and "Say hi" in messages[1].text
    assert any(m.role == MessageRole.TOOL_RESPONSE and "hi" in m.text for m in messages)
    logs = agent.logs
    assert isinstance(logs, tuple) and logs[1] is agent.memory.steps[0]
    with pytest.raises(AttributeError):
        logs.append(None)  # a read-only view
    summary = agent.write_memory_to_messages(summary_mode=True)
    assert all(m.role != MessageRole.SYSTEM for m in summary)


def test_memory_saves_to_json_and_a_loaded_memory_resumes_the_run(tmp_path, quiet) -> None:
    model = ScriptedModel([code("print('step one')"), code("final_answer('first')")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    agent.run("Task one")
    path = agent.memory.save(tmp_path / "memory.json")
    data = json.loads(path.read_text())
    assert data["token_usage"]["total_tokens"] == agent.memory.token_usage.total_tokens > 0
    loaded = AgentMemory.load(path)
    assert [type(s) for s in loaded.steps] == [type(s) for s in agent.memory.steps]
    assert loaded.steps[1].observations == agent.memory.steps[1].observations
    assert loaded.steps[1].timing.duration == agent.memory.steps[1].timing.duration

    resumed_model = ScriptedModel([code("final_answer('second')")])
    resumed = CodeAgent(tools=[], model=resumed_model, logger=quiet)
    resumed.memory = loaded
    assert resumed.run("Task two", reset=False) == "second"
    seen = " ".join(m.text for m in resumed_model.calls[0].messages)
    assert "Task one" in seen and "step one" in seen
    assert [s.step_number for s in resumed.memory.steps if isinstance(s, ActionStep)] == [1, 2, 3]


def test_memory_load_refuses_data_that_is_not_a_memory(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="not a saved agent memory"):
        AgentMemory.load(path)


async def test_concurrent_aruns_of_one_agent_keep_separate_memories(quiet) -> None:
    def reply(messages: list[ChatMessage]) -> str:
        task = messages[1].text.split("New task:\n")[1]
        return code(f"final_answer({task!r})")

    agent = CodeAgent(tools=[], model=ScriptedModel(reply, delay=0.01), logger=quiet)
    results = await asyncio.gather(*(agent.arun(f"task-{i}", return_full_result=True) for i in range(20)))
    assert [r.output for r in results] == [f"task-{i}" for i in range(20)]
    for i, result in enumerate(results):
        tasks = [s["task"] for s in result.steps if s["type"] == "task"]
        assert tasks == [f"task-{i}"]


async def test_arun_stream_yields_events_asynchronously(quiet) -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel([code("final_answer(9)")]), logger=quiet)
    events = [event async for event in await agent.arun("t", stream=True)]
    assert isinstance(events[-1], FinalAnswerStep) and events[-1].output == 9
    assert any(isinstance(e, ActionStep) for e in events)


def test_stream_outputs_yields_model_deltas(quiet) -> None:
    from smolagents import ChatMessageStreamDelta

    agent = CodeAgent(
        tools=[], model=ScriptedModel([code("final_answer(3)")]), logger=quiet, stream_outputs=True
    )
    events = list(agent.run("t", stream=True))
    deltas = [e for e in events if isinstance(e, ChatMessageStreamDelta)]
    assert "".join(d.content or "" for d in deltas).startswith("Thought:")
    step = next(e for e in events if isinstance(e, ActionStep))
    assert step.token_usage is not None and step.token_usage.output_tokens > 0


def test_managed_agent_is_called_like_a_tool_and_reports_back(quiet) -> None:
    helper_model = ScriptedModel([code("final_answer('Paris')")])
    helper = CodeAgent(tools=[], model=helper_model, logger=quiet, name="geo", description="Knows capitals.")
    manager_model = ScriptedModel(
        [code("r = geo(task='Capital of France?')\nprint(r)"), code("final_answer('done')")]
    )
    manager = CodeAgent(tools=[], model=manager_model, logger=quiet, managed_agents=[helper])
    assert manager.run("Ask geo") == "done"
    assert "Capital of France?" in helper_model.calls[0].messages[-1].text
    first = next(s for s in manager.memory.steps if isinstance(s, ActionStep))
    assert "Paris" in first.observations and "geo" in first.observations
    assert "geo" in manager.system_prompt and "Knows capitals." in manager.system_prompt


def test_managed_agent_in_a_tool_calling_manager_with_run_summary(quiet) -> None:
    helper = ToolCallingAgent(
        tools=[],
        model=ScriptedModel([tool_call_message(("final_answer", {"answer": "42"}))]),
        logger=quiet,
        name="calc",
        description="Computes things.",
        provide_run_summary=True,
    )
    manager_model = ScriptedModel(
        [tool_call_message(("calc", {"task": "6*7"})), tool_call_message(("final_answer", {"answer": "ok"}))]
    )
    manager = ToolCallingAgent(tools=[], model=manager_model, logger=quiet, managed_agents=[helper])
    assert manager.run("t") == "ok"
    assert "calc" in manager_model.calls[0].tool_names
    observation = next(s for s in manager.memory.steps if isinstance(s, ActionStep)).observations
    assert "42" in observation and "<summary_of_work>" in observation


def test_managed_agents_need_a_name_and_description() -> None:
    nameless = CodeAgent(tools=[], model=ScriptedModel([]))
    with pytest.raises(ValueError, match="name and a description"):
        CodeAgent(tools=[], model=ScriptedModel([]), managed_agents=[nameless])


def test_instructions_and_custom_prompt_templates_reach_the_model(quiet) -> None:
    model = ScriptedModel([code("final_answer(1)")])
    agent = CodeAgent(
        tools=[],
        model=model,
        logger=quiet,
        instructions="Always answer in French.",
        prompt_templates={
            "system_prompt": "Custom prompt. {{ custom_instructions }} Tools: {{ tools | length }}"
        },
    )
    agent.run("t")
    assert model.calls[0].messages[0].text == "Custom prompt. Always answer in French. Tools: 1"


def test_prompt_template_with_an_undefined_variable_is_a_clear_error() -> None:
    agent = CodeAgent(
        tools=[], model=ScriptedModel([]), prompt_templates={"system_prompt": "{{ not_a_variable }}"}
    )
    with pytest.raises(ValueError, match="not_a_variable"):
        agent.run("t")


def test_images_reach_the_model_as_image_parts(quiet) -> None:
    from PIL import Image

    image = Image.new("RGB", (4, 4), "red")
    model = ScriptedModel([code("final_answer('red')")])
    CodeAgent(tools=[], model=model, logger=quiet).run("Colour?", images=[image])
    task_message = model.calls[0].messages[1]
    assert any(part["type"] == "image" for part in task_message.content)


def test_default_logger_draws_task_code_observation_and_answer() -> None:
    from rich.console import Console

    buffer = io.StringIO()
    logger = AgentLogger(level=LogLevel.INFO, console=Console(file=buffer, width=100, force_terminal=False))
    model = ScriptedModel([code("print('observed value')"), code("final_answer('the end')")])
    CodeAgent(tools=[], model=model, logger=logger).run("Draw me")
    out = buffer.getvalue()
    for expected in (
        "New run",
        "Draw me",
        "Step 1",
        "Executing this code",
        "observed value",
        "Final answer: the end",
        "Input tokens",
    ):
        assert expected in out


def test_replay_draws_the_finished_run() -> None:
    from rich.console import Console

    buffer = io.StringIO()
    logger = AgentLogger(level=LogLevel.OFF)
    agent = CodeAgent(tools=[], model=ScriptedModel([code("print('x')\nfinal_answer(1)")]), logger=logger)
    agent.run("Replay me")
    agent.logger = AgentLogger(level=LogLevel.INFO, console=Console(file=buffer, width=100))
    agent.replay()
    assert "Replay me" in buffer.getvalue() and "final_answer(1)" in buffer.getvalue()


def test_agent_before_any_run_has_an_empty_memory_holding_the_system_prompt(quiet) -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel([]), logger=quiet)
    assert agent.memory.steps == []
    messages = agent.write_memory_to_messages()
    assert [m.role for m in messages] == [MessageRole.SYSTEM] and messages[0].text == agent.system_prompt


def test_task_must_be_a_string(quiet) -> None:
    with pytest.raises(TypeError, match="task must be a string"):
        CodeAgent(tools=[], model=ScriptedModel([]), logger=quiet).run(42)  # type: ignore[arg-type]


def test_steps_are_recorded_in_order_with_timing(quiet) -> None:
    agent = CodeAgent(
        tools=[], model=ScriptedModel([code("print(1)"), code("final_answer(1)")]), logger=quiet
    )
    agent.run("t")
    assert isinstance(agent.memory.steps[0], TaskStep)
    for step in agent.memory.steps[1:]:
        assert step.timing.end_time >= step.timing.start_time
    assert agent.monitor.get_total_token_counts().total_tokens == agent.memory.token_usage.total_tokens


def test_logger_prints_streamed_model_text_as_it_arrives() -> None:
    from rich.console import Console

    buffer = io.StringIO()
    logger = AgentLogger(level=LogLevel.INFO, console=Console(file=buffer, width=100))
    agent = CodeAgent(
        tools=[],
        model=ScriptedModel([code("final_answer(3)", thought="streaming now")]),
        logger=logger,
        stream_outputs=True,
    )
    agent.run("t")
    out = buffer.getvalue()
    assert "Thought: streaming now" in out
    assert out.index("Thought: streaming now") < out.index("Executing this code")


def test_sync_run_lets_background_tasks_of_the_model_finish(quiet) -> None:
    """SDKs may schedule callbacks (e.g. usage logging) as tasks; run() must not strand them."""
    finished: list[str] = []

    class LoggingModel(ScriptedModel):
        async def agenerate(self, *args, **kwargs):
            async def log_usage() -> None:
                await asyncio.sleep(0.01)
                finished.append("logged")

            asyncio.get_running_loop().create_task(log_usage())
            return await super().agenerate(*args, **kwargs)

    agent = CodeAgent(tools=[], model=LoggingModel([code("final_answer(1)")]), logger=quiet)
    assert agent.run("t") == 1
    assert finished == ["logged"]


def test_closing_a_sync_stream_early_leaves_no_pending_task(quiet) -> None:
    model = ScriptedModel([code("print(1)")] * 3 + [code("final_answer(2)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet, stream_outputs=True)
    events = agent.run("t", stream=True)
    next(events)
    events.close()
    from smolagents._agent.sync import _thread_loop

    assert not [task for task in asyncio.all_tasks(_thread_loop()) if not task.done()]
    fresh = CodeAgent(tools=[], model=ScriptedModel([code("final_answer(2)")]), logger=quiet)
    assert fresh.run("again") == 2  # the thread's loop is still usable afterwards


def test_huge_outputs_are_shown_abbreviated_and_markup_in_them_is_not_interpreted() -> None:
    from rich.console import Console

    buffer = io.StringIO()
    logger = AgentLogger(level=LogLevel.INFO, console=Console(file=buffer, width=100))
    # 100 references to one list, nested 6 deep: tiny in memory, 10**12 items when printed whole.
    source = "x = [0]\nfor _ in range(6):\n    x = [x] * 100\nprint('[/bold] not markup')\nx"
    model = ScriptedModel([code(source), code("final_answer(x)")])
    agent = CodeAgent(tools=[], model=model, logger=logger)
    answer_is_list = isinstance(agent.run("t"), list)  # never repr the answer itself: it is huge
    first = next(s for s in agent.memory.steps if isinstance(s, ActionStep))
    shown, drawn = first.observations, buffer.getvalue()  # plain strings: safe for pytest to print
    assert "abbreviated" in shown and len(shown) < 5000
    assert answer_is_list and "[/bold] not markup" in drawn and "Final answer: [abbreviated" in drawn
