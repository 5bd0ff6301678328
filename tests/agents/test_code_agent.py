"""CodeAgent behaviour, driven by the scripted model."""

from __future__ import annotations

import pytest
from agent_helpers import code

from smolagents import (
    ActionStep,
    AgentExecutionError,
    AgentMaxStepsError,
    AgentParsingError,
    CodeAgent,
    RunResult,
    ScriptedModel,
    TaskStep,
    tool,
)


@tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


def action_steps(agent: CodeAgent) -> list[ActionStep]:
    return [step for step in agent.memory.steps if isinstance(step, ActionStep)]


def test_code_agent_returns_the_value_given_to_final_answer(quiet) -> None:
    model = ScriptedModel([code("final_answer(6 * 7)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    assert agent.run("What is 6 times 7?") == 42
    assert "What is 6 times 7?" in model.calls[0].messages[-1].text


def test_code_agent_keeps_variables_between_steps_and_shows_prints_as_observations(quiet) -> None:
    model = ScriptedModel([code("x = add(2, 3)\nprint('x is', x)"), code("final_answer(x * 10)")])
    agent = CodeAgent(tools=[add], model=model, logger=quiet)
    assert agent.run("Compute") == 50
    first = action_steps(agent)[0]
    assert "x is 5" in first.observations
    assert "x is 5" in model.calls[1].messages[-1].text  # the model saw the observation
    assert agent.state["x"] == 5


def test_code_agent_recovers_after_parse_error(quiet) -> None:
    model = ScriptedModel(["I think the answer is 4.", code("final_answer(4)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    assert agent.run("2+2?") == 4
    failed = action_steps(agent)[0]
    assert isinstance(failed.error, AgentParsingError)
    assert "<code>" in failed.error.message and "I think the answer is 4." in failed.error.message
    assert "Error in code parsing" in model.calls[1].messages[-1].text  # the error was shown to the model


def test_code_agent_recovers_after_execution_error_and_keeps_logs(quiet) -> None:
    model = ScriptedModel([code("print('before')\n1 / 0"), code("final_answer('ok')")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    assert agent.run("Divide") == "ok"
    failed = action_steps(agent)[0]
    assert isinstance(failed.error, AgentExecutionError)
    assert "ZeroDivisionError" in failed.error.message
    assert "before" in (failed.observations or "")
    shown = model.calls[1].messages[-1].text
    assert "ZeroDivisionError" in shown


def test_code_agent_accepts_python_fences_and_custom_tags(quiet) -> None:
    model = ScriptedModel(["```python\nfinal_answer('fenced')\n```"])
    assert CodeAgent(tools=[], model=model, logger=quiet).run("t") == "fenced"
    model = ScriptedModel(["Thought: ok\n<code>\nfinal_answer('tagged')\n</code>"])
    agent = CodeAgent(tools=[], model=model, logger=quiet, code_block_tags=("<code>", "</code>"))
    assert agent.run("t") == "tagged"
    assert "</code>" in model.calls[0].stop_sequences
    assert "<code>" in agent.system_prompt


def test_code_agent_with_structured_outputs_reads_json_code(quiet) -> None:
    model = ScriptedModel(['{"thought": "easy", "code": "final_answer(3)"}'])
    agent = CodeAgent(tools=[], model=model, logger=quiet, use_structured_outputs_internally=True)
    assert agent.run("t") == 3
    assert model.calls[0].response_format["json_schema"]["schema"]["required"] == ["thought", "code"]


def test_additional_args_become_variables_and_are_described_in_the_task(quiet) -> None:
    model = ScriptedModel([code("final_answer(len(document))")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    assert agent.run("Count", additional_args={"document": "abcd"}) == 4
    assert "document" in model.calls[0].messages[-1].text


def test_max_steps_asks_for_a_final_answer_and_reports_the_state(quiet) -> None:
    model = ScriptedModel([code("print(1)"), code("print(2)"), "The answer is probably 3."])
    agent = CodeAgent(tools=[], model=model, logger=quiet, max_steps=2)
    result = agent.run("Never finishes", return_full_result=True)
    assert isinstance(result, RunResult)
    assert result.state == "max_steps_error"
    assert result.output == "The answer is probably 3."
    last = action_steps(agent)[-1]
    assert isinstance(last.error, AgentMaxStepsError)
    assert len(action_steps(agent)) == 3  # two steps plus the final-answer step, none lost
    assert result.token_usage.total_tokens > 0
    assert result.timing.duration is not None
    assert len(result.steps) == 4  # task + 3 action steps


def test_run_max_steps_argument_overrides_the_agent_limit(quiet) -> None:
    model = ScriptedModel([code("print(1)"), "fallback"])
    agent = CodeAgent(tools=[], model=model, logger=quiet, max_steps=10)
    assert agent.run("t", max_steps=1) == "fallback"


def test_reset_false_continues_memory_and_variables(quiet) -> None:
    model = ScriptedModel([code("x = 21\nfinal_answer(x)"), code("final_answer(x * 2)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    assert agent.run("First") == 21
    assert agent.run("Second", reset=False) == 42
    tasks = [step.task for step in agent.memory.steps if isinstance(step, TaskStep)]
    assert tasks == ["First", "Second"]
    assert "First" in model.calls[1].messages[1].text  # the second call saw the first task
    numbers = [step.step_number for step in action_steps(agent)]
    assert numbers == [1, 2]


def test_reset_true_starts_a_fresh_memory_and_interpreter(quiet) -> None:
    model = ScriptedModel(
        [code("x = 1\nfinal_answer(x)"), code("final_answer(x)"), code("final_answer('fresh')")]
    )
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    agent.run("First")
    assert agent.run("Second") == "fresh"  # `x` was not defined in the fresh interpreter
    assert [type(s) for s in agent.memory.steps] == [TaskStep, ActionStep, ActionStep]


def test_unknown_executor_type_is_refused_with_the_valid_ones(quiet) -> None:
    with pytest.raises(ValueError, match=r"Unknown executor_type 'cloud'.*local"):
        CodeAgent(tools=[], model=ScriptedModel([]), executor_type="cloud")


def test_custom_executor_instance_is_used(quiet) -> None:
    from smolagents import LocalPythonExecutor

    executor = LocalPythonExecutor(additional_authorized_imports=[])
    executor.send_variables({"preset": 7})
    model = ScriptedModel([code("final_answer(preset)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet, executor=executor)
    assert agent.run("t") == 7


def test_unauthorized_import_is_reported_to_the_model(quiet) -> None:
    model = ScriptedModel([code("import os\nfinal_answer(os.getcwd())"), code("final_answer('gave up')")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    assert agent.run("t") == "gave up"
    error = action_steps(agent)[0].error
    assert isinstance(error, AgentExecutionError) and "os" in error.message


def test_authorized_imports_appear_in_the_system_prompt(quiet) -> None:
    agent = CodeAgent(
        tools=[add], model=ScriptedModel([]), additional_authorized_imports=["numpy"], logger=quiet
    )
    prompt = agent.system_prompt
    assert "numpy" in prompt and "math" in prompt
    assert "def add(" in prompt


def test_code_agent_context_manager_cleans_up(quiet) -> None:
    with CodeAgent(tools=[], model=ScriptedModel([code("final_answer(1)")]), logger=quiet) as agent:
        assert agent.run("t") == 1


def test_code_can_call_async_tools_and_sync_tools(quiet) -> None:
    import asyncio

    @tool
    async def slow_double(n: int) -> int:
        """Double a number after a pause.

        Args:
            n: The number.
        """
        await asyncio.sleep(0.01)
        return n * 2

    model = ScriptedModel([code("final_answer(add(slow_double(4), 1))")])
    agent = CodeAgent(tools=[add, slow_double], model=model, logger=quiet)
    assert agent.run("t") == 9


async def test_code_agent_with_async_tool_runs_inside_an_event_loop(quiet) -> None:
    import asyncio

    @tool
    async def fetch(key: str) -> str:
        """Fetch a value.

        Args:
            key: The key.
        """
        await asyncio.sleep(0)
        return key * 2

    model = ScriptedModel([code("final_answer(fetch('ab'))")])
    agent = CodeAgent(tools=[fetch], model=model, logger=quiet)
    assert await agent.arun("t") == "abab"


def test_sync_run_works_when_called_from_a_running_event_loop(quiet) -> None:
    import asyncio

    async def inside() -> int:
        agent = CodeAgent(tools=[], model=ScriptedModel([code("final_answer(5)")]), logger=quiet)
        return agent.run("t")  # e.g. a notebook cell: the loop is already running here

    assert asyncio.run(inside()) == 5


def test_step_runs_one_action_into_the_given_step(quiet) -> None:
    from smolagents import Timing

    model = ScriptedModel([code("x = 5\nprint(x)"), "fallback", code("final_answer(x + 1)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    assert agent.run("t", max_steps=1) == "fallback"
    step = ActionStep(step_number=3, timing=Timing.start_now())
    assert agent.step(step) == 6
    assert step.is_final_answer and step.code_action == "final_answer(x + 1)"


def test_visualize_draws_tools_and_managed_agents() -> None:
    import io

    from rich.console import Console

    from smolagents import AgentLogger

    buffer = io.StringIO()
    helper = CodeAgent(tools=[add], model=ScriptedModel([]), name="helper", description="Adds numbers.")
    agent = CodeAgent(
        tools=[],
        model=ScriptedModel([]),
        managed_agents=[helper],
        logger=AgentLogger(console=Console(file=buffer)),
    )
    agent.visualize()
    drawn = buffer.getvalue()
    assert "helper" in drawn and "Adds numbers." in drawn and "add" in drawn and "final_answer" in drawn


def test_unclosed_code_block_drops_the_prose_the_model_wrote_after_it(quiet) -> None:
    reply = "Thought: multiply.\n```python\nresult = 12 * 7\nprint(result)\n\nThe result of 12 * 7 is 84"
    model = ScriptedModel([reply, code("final_answer(result)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    assert agent.run("t") == 84
    first = action_steps(agent)[0]
    assert first.code_action == "result = 12 * 7\nprint(result)" and first.error is None


def test_unclosed_block_that_never_parses_reports_the_syntax_error(quiet) -> None:
    model = ScriptedModel(["```py\nx = (1,\n", code("final_answer(0)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    agent.run("t")
    error = action_steps(agent)[0].error
    assert isinstance(error, AgentExecutionError) and "SyntaxError" in error.message


def test_several_code_blocks_are_run_in_order(quiet) -> None:
    reply = "First:\n```py\na = 2\n```\nThen:\n```python\nfinal_answer(a * 3)\n```"
    assert CodeAgent(tools=[], model=ScriptedModel([reply]), logger=quiet).run("t") == 6
