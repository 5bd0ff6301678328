"""Models written for smolagents 1.26 drive both agent kinds: minimal subclasses, duck types, mocks."""

from __future__ import annotations

import threading
from typing import Any
from unittest.mock import MagicMock

import pytest
from agent_helpers import code

from smolagents import (
    ActionStep,
    AgentGenerationError,
    ChatMessage,
    ChatMessageToolCall,
    ChatMessageToolCallFunction,
    CodeAgent,
    FinalAnswerStep,
    MemoryStep,
    MessageRole,
    Model,
    ToolCallingAgent,
    tool,
)


def reply(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.ASSISTANT, content=text)


def final_answer_call(answer: Any) -> ChatMessage:
    return ChatMessage(
        role=MessageRole.ASSISTANT,
        content="",
        tool_calls=[
            ChatMessageToolCall(
                id="call_0",
                type="function",
                function=ChatMessageToolCallFunction("final_answer", {"answer": answer}),
            )
        ],
    )


@tool
def double(x: int) -> int:
    """Double a number.

    Args:
        x: The number.
    """
    return 2 * x


def test_a_model_taking_only_messages_and_stop_sequences_drives_a_code_agent(quiet) -> None:
    seen: list[tuple[int, list[str] | None]] = []

    class MyModel(Model):
        def generate(self, messages, stop_sequences=None):  # the 1.26 docs' minimal model
            seen.append((len(messages), stop_sequences))
            return reply(code("final_answer(double(21))"))

    agent = CodeAgent(tools=[double], model=MyModel(), logger=quiet)
    assert agent.run("Double 21") == 42
    assert seen[0][0] == 2 and "Observation:" in seen[0][1]


def test_a_model_taking_kwargs_gets_only_the_keywords_in_use(quiet) -> None:
    received: list[dict[str, Any]] = []

    class KwargsModel(Model):
        def generate(self, messages, **kwargs):
            received.append(kwargs)
            return final_answer_call(7) if kwargs.get("tools_to_call_from") else reply("plan<end_plan>")

    agent = ToolCallingAgent(tools=[double], model=KwargsModel(), logger=quiet, planning_interval=3)
    assert agent.run("t") == 7
    plan_call, action_call = received
    assert plan_call == {"stop_sequences": ["<end_plan>"]}
    assert set(action_call) == {"stop_sequences", "tools_to_call_from"}
    assert [t.name for t in action_call["tools_to_call_from"]] == ["double", "final_answer"]


def test_structured_outputs_add_response_format_and_the_step_limit_call_adds_nothing(quiet) -> None:
    received: list[dict[str, Any]] = []

    class RecordingModel(Model):
        def generate(self, messages, **kwargs):
            received.append(kwargs)
            return reply('{"thought": "no", "code": "print(1)"}')

    agent = CodeAgent(
        tools=[], model=RecordingModel(), logger=quiet, use_structured_outputs_internally=True, max_steps=1
    )
    agent.run("t")
    assert set(received[0]) == {"stop_sequences", "response_format"}
    assert received[-1] == {}  # the final answer asked for at the step limit


def test_a_model_that_never_calls_model_init_works(quiet) -> None:
    class NoInitModel(Model):
        def __init__(self, answer: str) -> None:
            self.answer = answer  # no super().__init__(): no model_id, no kwargs

        def generate(self, messages, stop_sequences=None, **kwargs):
            return reply(code(f"final_answer({self.answer!r})"))

    agent = CodeAgent(tools=[], model=NoInitModel("ok"), logger=quiet)
    assert agent.run("t") == "ok"
    assert "NoInitModel" in repr(agent) and NoInitModel("x").to_dict()["model_id"] is None


def test_a_generate_only_model_runs_on_a_worker_thread_when_run_async(quiet) -> None:
    threads: list[int] = []

    class SyncOnly(Model):
        def generate(self, messages, stop_sequences=None):
            threads.append(threading.get_ident())
            return reply(code("final_answer(1)"))

    async def main() -> tuple[int, int]:
        agent = CodeAgent(tools=[], model=SyncOnly(), logger=quiet)
        return await agent.arun("t"), threading.get_ident()

    import asyncio

    answer, loop_thread = asyncio.run(main())
    assert answer == 1 and threads and threads[0] != loop_thread


def test_a_duck_typed_model_that_is_not_a_model_drives_both_agents(quiet) -> None:
    class Duck:
        def __init__(self, replies: list[ChatMessage]) -> None:
            self.replies = replies

        def generate(self, messages, stop_sequences=None, **kwargs):
            return self.replies.pop(0)

    code_agent = CodeAgent(tools=[], model=Duck([reply(code("final_answer('quack')"))]), logger=quiet)
    assert code_agent.run("t") == "quack"
    tool_agent = ToolCallingAgent(tools=[], model=Duck([final_answer_call("quack")]), logger=quiet)
    assert tool_agent.run("t") == "quack"


def test_magicmock_models_drive_both_agents(quiet) -> None:
    model = MagicMock()
    model.generate.return_value = reply(code("final_answer(double(2))"))
    agent = CodeAgent(tools=[double], model=model, logger=quiet)
    assert agent.run("t") == 4
    (messages,), kwargs = model.generate.call_args
    assert messages[0].role == MessageRole.SYSTEM and set(kwargs) == {"stop_sequences"}

    model = MagicMock()
    model.generate.side_effect = [
        ChatMessage(
            role=MessageRole.ASSISTANT,
            content=None,
            tool_calls=[
                ChatMessageToolCall(
                    id="c1", type="function", function=ChatMessageToolCallFunction("double", {"x": 5})
                )
            ],
        ),
        final_answer_call("ten"),
    ]
    agent = ToolCallingAgent(tools=[double], model=model, logger=quiet)
    assert agent.run("t") == "ten"
    assert "10" in agent.memory.steps[1].observations
    assert "tools_to_call_from" in model.generate.call_args.kwargs


def test_an_unconfigured_mock_model_is_a_clear_error_and_memory_is_kept(quiet) -> None:
    agent = CodeAgent(tools=[], model=MagicMock(), logger=quiet)
    with pytest.raises(AgentGenerationError, match=r"returned a MagicMock, not a ChatMessage.*return_value"):
        agent.run("t")
    assert isinstance(agent.memory.steps[-1], ActionStep) and agent.memory.steps[-1].error is not None


def test_streaming_with_a_model_that_only_generates(quiet) -> None:
    from smolagents import ChatMessageStreamDelta

    class SyncOnly(Model):
        def generate(self, messages, stop_sequences=None):
            return reply(code("final_answer(5)"))

    agent = CodeAgent(tools=[], model=SyncOnly(), logger=quiet, stream_outputs=True)
    events = list(agent.run("t", stream=True))
    deltas = [e for e in events if isinstance(e, ChatMessageStreamDelta)]
    assert len(deltas) == 1 and "final_answer(5)" in deltas[0].content
    assert isinstance(events[-1], FinalAnswerStep) and events[-1].output == 5


def test_step_callbacks_registered_for_final_answer_steps_fire(quiet) -> None:
    answers: list[Any] = []
    every: list[str] = []
    model = MagicMock()
    model.generate.return_value = reply(code("final_answer('done')"))
    agent = CodeAgent(
        tools=[],
        model=model,
        logger=quiet,
        step_callbacks={
            FinalAnswerStep: lambda step, agent: answers.append((step.output, type(agent).__name__)),
            MemoryStep: lambda step: every.append(type(step).__name__),
        },
    )
    agent.run("t")
    assert answers == [("done", "CodeAgent")]
    assert every == ["ActionStep", "FinalAnswerStep"]
