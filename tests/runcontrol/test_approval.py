"""Approval before an action: approved, denied and edited calls, stopped runs resumed in-process."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from smolagents import (
    AgentMemory,
    ApprovalRequest,
    ApprovalRequested,
    ApprovalResolved,
    Approve,
    CodeAgent,
    Deny,
    Edit,
    FinalAnswerStep,
    PendingApproval,
    Tool,
    ToolCallingAgent,
)
from smolagents.models import ScriptedModel, tool_call_message


class DeleteFile(Tool):
    name = "delete_file"
    description = "Delete a file and say which."
    inputs = {"path": {"type": "string", "description": "The file to delete."}}
    output_type = "string"
    requires_approval = True

    def __init__(self) -> None:
        super().__init__()
        self.deleted: list[str] = []

    def forward(self, path: str) -> str:
        self.deleted.append(path)
        return f"deleted {path}"


class Transfer(Tool):
    name = "transfer"
    description = "Transfer an amount of money."
    inputs = {"amount": {"type": "integer", "description": "How much."}}
    output_type = "string"

    def requires_approval(self, arguments: dict) -> bool:  # type: ignore[override]
        return int(arguments["amount"]) > 100

    def forward(self, amount: int) -> str:
        return f"sent {amount}"


def delete_then_answer() -> ScriptedModel:
    return ScriptedModel(
        [
            tool_call_message(("delete_file", {"path": "a.txt"})),
            tool_call_message(("final_answer", {"answer": "done"})),
        ]
    )


def observation_of(agent: Any, step_number: int) -> str:
    return next(s.observations for s in agent.memory.steps if getattr(s, "step_number", None) == step_number)


def test_tool_needing_approval_runs_once_the_callback_approves_and_events_say_so() -> None:
    tool, asked, events = DeleteFile(), [], []
    agent = ToolCallingAgent(
        tools=[tool],
        model=delete_then_answer(),
        verbosity_level=-1,
        approval_callback=lambda r: asked.append(r) or Approve(),
    )
    agent.subscribe(events.append)
    assert agent.run("Delete a.txt") == "done"
    assert tool.deleted == ["a.txt"]
    assert [r.tool_call.arguments for r in asked] == [{"path": "a.txt"}]
    requested = [e for e in events if isinstance(e, ApprovalRequested)]
    resolved = [e for e in events if isinstance(e, ApprovalResolved)]
    assert [e.request.tool_call.name for e in requested] == ["delete_file"]
    assert isinstance(resolved[0].decision, Approve)


def test_denied_call_is_an_observation_and_the_run_goes_on() -> None:
    tool = DeleteFile()
    agent = ToolCallingAgent(
        tools=[tool],
        model=delete_then_answer(),
        verbosity_level=-1,
        approval_callback=lambda r: Deny("keep it"),
    )
    assert agent.run("Delete a.txt") == "done"
    assert tool.deleted == []
    observation = observation_of(agent, 1)
    assert "denied" in observation and "keep it" in observation
    # The model saw the denial at its next call.
    assert "keep it" in agent.model.calls[1].messages[-1].text


def test_edited_call_runs_with_the_new_arguments_and_the_model_is_told() -> None:
    tool = DeleteFile()

    async def edit(request: ApprovalRequest) -> Edit:  # async callbacks are awaited
        await asyncio.sleep(0)
        return Edit(arguments={"path": "b.txt"})

    agent = ToolCallingAgent(
        tools=[tool], model=delete_then_answer(), verbosity_level=-1, approval_callback=edit
    )
    assert agent.run("Delete a.txt") == "done"
    assert tool.deleted == ["b.txt"]
    assert "b.txt" in observation_of(agent, 1) and "changed the arguments" in observation_of(agent, 1)


def test_predicate_asks_only_for_the_calls_it_selects() -> None:
    model = ScriptedModel(
        [
            tool_call_message(("transfer", {"amount": 50}), ("transfer", {"amount": 500})),
            tool_call_message(("final_answer", {"answer": "ok"})),
        ]
    )
    asked: list[ApprovalRequest] = []
    agent = ToolCallingAgent(tools=[Transfer()], model=model, verbosity_level=-1)
    assert agent.run("Pay", approval_callback=lambda r: asked.append(r) or False) == "ok"  # per-run callback
    assert [r.tool_call.arguments for r in asked] == [{"amount": 500}]
    observation = observation_of(agent, 1)
    assert "sent 50" in observation and "sent 500" not in observation and "denied" in observation


def test_without_a_callback_the_run_stops_awaiting_approval_and_resumes_with_the_decision() -> None:
    tool = DeleteFile()
    agent = ToolCallingAgent(tools=[tool], model=delete_then_answer(), verbosity_level=-1)
    result = agent.run("Delete a.txt", return_full_result=True)
    assert result.state == "awaiting_approval"
    assert isinstance(result.output, PendingApproval)
    [request] = result.pending_approvals
    assert request.tool_call.arguments == {"path": "a.txt"} and request.id == "approval-1-0"
    assert tool.deleted == [] and agent.memory.pending_approvals == [request]
    assert agent.resume({request.id: Approve()}) == "done"
    assert tool.deleted == ["a.txt"] and agent.memory.pending_approvals == []
    assert "deleted a.txt" in observation_of(agent, 1)
    with pytest.raises(ValueError, match="Nothing to resume"):
        agent.resume(Approve())


def test_code_agent_asks_before_every_code_action_and_runs_edited_code() -> None:
    model = ScriptedModel(["<code>\nx = 1\nprint(x)\n</code>", "<code>\nfinal_answer(x)\n</code>"])
    seen: list[str | None] = []

    def edit_first(request: ApprovalRequest) -> Any:
        seen.append(request.code)
        return Edit(code="x = 7\nprint(x)") if len(seen) == 1 else True

    agent = CodeAgent(
        tools=[], model=model, verbosity_level=-1, code_requires_approval=True, approval_callback=edit_first
    )
    assert agent.run("Compute") == 7
    assert seen == ["x = 1\nprint(x)", "final_answer(x)"]
    assert "edited your code" in observation_of(agent, 1) and "7" in observation_of(agent, 1)


def test_code_naming_a_tool_that_needs_approval_waits_and_stream_ends_without_answer() -> None:
    tool = DeleteFile()
    model = ScriptedModel(
        ['<code>\nprint(delete_file("a.txt"))\n</code>', "<code>\nfinal_answer('kept')\n</code>"]
    )
    agent = CodeAgent(tools=[tool], model=model, verbosity_level=-1)
    events = list(agent.run("Delete a.txt", stream=True))
    assert any(isinstance(e, ApprovalRequested) and "delete_file" in e.request.reason for e in events)
    assert not any(isinstance(e, FinalAnswerStep) for e in events)
    assert agent.resume(Deny("not today")) == "kept"
    assert tool.deleted == [] and "not today" in observation_of(agent, 1)


def test_new_task_closes_the_pending_step_and_bad_decisions_are_refused() -> None:
    model = ScriptedModel(
        [
            tool_call_message(("delete_file", {"path": "a.txt"})),
            tool_call_message(("final_answer", {"answer": "second"})),
        ]
    )
    agent = ToolCallingAgent(tools=[DeleteFile()], model=model, verbosity_level=-1)
    agent.run("Delete a.txt")
    with pytest.raises(TypeError, match="approval decision"):
        agent.resume("yes")  # type: ignore[arg-type]
    assert agent.run("Something else", reset=False) == "second"
    assert "awaiting approval when the conversation went on" in observation_of(agent, 1)
    assert agent.memory.pending_approvals == []
    saved = AgentMemory.from_dict(agent.memory.to_dict())
    assert saved.pending_approvals == []


def test_a_tool_needing_approval_saves_in_the_126_format_and_loads_with_its_setting(tmp_path: Any) -> None:
    Transfer().save(tmp_path)
    code = (tmp_path / "tool.py").read_text()
    assert "def requires_approval(self, arguments: dict) -> bool:" in code
    loaded = Tool.from_code(code)
    assert loaded.requires_approval({"amount": 500}) is True and loaded(amount=5) == "sent 5"


def test_a_decision_given_to_resume_covers_only_the_stopped_step() -> None:
    tool = DeleteFile()
    model = ScriptedModel(
        [
            tool_call_message(("delete_file", {"path": "a.txt"})),
            tool_call_message(("delete_file", {"path": "b.txt"})),
            tool_call_message(("final_answer", {"answer": "done"})),
        ]
    )
    agent = ToolCallingAgent(tools=[tool], model=model, verbosity_level=-1)
    agent.run("Delete both")
    second = agent.resume(Approve(), return_full_result=True)  # approves a.txt only
    assert tool.deleted == ["a.txt"]
    assert second.state == "awaiting_approval"
    assert second.pending_approvals[0].tool_call.arguments == {"path": "b.txt"}
    assert agent.resume(Approve()) == "done" and tool.deleted == ["a.txt", "b.txt"]
