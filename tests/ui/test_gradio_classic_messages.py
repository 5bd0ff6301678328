"""`pull_messages_from_step` and `GradioUI.upload_file`: the flat layout and upload results 1.26 code builds on."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from smolagents.agent_types import AgentAudio, AgentText
from smolagents.memory import ActionStep, FinalAnswerStep, PlanningStep, ToolCall
from smolagents.monitoring import Timing, TokenUsage

gr = pytest.importorskip("gradio")  # the gradio extra

from smolagents.gradio_ui import GradioUI, pull_messages_from_step  # noqa: E402  # needs gradio


def contents(step: object, **options: bool) -> list[object]:
    return [message.content for message in pull_messages_from_step(step, **options)]  # type: ignore[arg-type]


def test_an_action_step_is_a_header_output_calls_logs_error_footnote_and_divider() -> None:
    step = ActionStep(
        step_number=3,
        model_output="I will add <b>two</b> numbers.",
        tool_calls=[ToolCall(name="python_interpreter", arguments="```py\nadd(2, 3)\n```", id="c1")],
        observations="Execution logs:\n5",
        error="boom",
        timing=Timing(start_time=10.0, end_time=11.25),
        token_usage=TokenUsage(input_tokens=1200, output_tokens=7),
    )
    messages = list(pull_messages_from_step(step))
    assert [m.metadata.get("title") for m in messages] == [
        None, None, "🛠️ Used tool python_interpreter", "📝 Execution Logs", "💥 Error", None, None,
    ]  # fmt: skip
    assert messages[0].content == "**Step 3**"
    assert messages[1].content == "I will add &lt;b&gt;two&lt;/b&gt; numbers."  # model text is not HTML
    assert messages[2].content == "```python\nadd(2, 3)\n```"
    assert messages[3].content == "```bash\n5\n```"
    assert messages[4].content == "boom"
    assert "**Step 3** | Input tokens: 1,200 | Output tokens: 7 | Duration: 1.25s" in messages[5].content
    assert messages[6].content == "-----"
    assert all(m.role == "assistant" and m.metadata["status"] == "done" for m in messages)


def test_tool_call_arguments_show_the_answer_or_the_whole_mapping() -> None:
    step = ActionStep(
        step_number=1,
        tool_calls=[
            ToolCall(name="final_answer", arguments={"answer": "42"}, id="a"),
            ToolCall(name="lookup", arguments={"city": "Paris"}, id="b"),
        ],
        timing=Timing(start_time=0.0, end_time=1.0),
    )
    assert contents(step)[1:3] == ["42", "{'city': 'Paris'}"]


def test_skipping_model_outputs_leaves_the_footnote_and_divider(tmp_path: Path) -> None:
    plan = PlanningStep(
        model_input_messages=[],
        model_output_message=None,
        plan="1. look",
        timing=Timing(0.0, 2.0),
        token_usage=None,
    )
    assert contents(plan) == [
        "**Planning step**", "1. look", '<span style="color: #bbbbc2; font-size: 12px;">**Planning step** | Duration: 2.0s</span> ', "-----",
    ]  # fmt: skip
    assert len(contents(plan, skip_model_outputs=True)) == 2


def test_final_answers_are_text_or_a_file_message(tmp_path: Path) -> None:
    assert contents(FinalAnswerStep(output=AgentText("hi"))) == ["**Final answer:**\nhi\n"]
    assert contents(FinalAnswerStep(output=3)) == ["**Final answer:** 3"]
    sound = tmp_path / "a.wav"
    sound.write_bytes(b"RIFF")
    assert contents(FinalAnswerStep(output=AgentAudio(str(sound)))) == [
        {"path": str(sound), "mime_type": "audio/wav"}
    ]


def test_an_unknown_step_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="Unsupported step type: SimpleNamespace"):
        list(pull_messages_from_step(SimpleNamespace()))  # type: ignore[arg-type]


def upload(ui: GradioUI, path: Path, **options: list[str]) -> tuple[str, list[str]]:
    box, log = ui.upload_file(SimpleNamespace(name=str(path)), [], **options)
    return box.value, log


def test_upload_file_saves_allowed_types_at_the_top_of_the_folder(tmp_path: Path) -> None:
    ui = GradioUI(agent=SimpleNamespace(name=None), file_upload_folder=tmp_path / "up")
    source = tmp_path / "notes #1.txt"
    source.write_text("hello")
    status, log = upload(ui, source)
    assert log == [str((tmp_path / "up" / "notes__1.txt").resolve())]
    assert status == f"File uploaded: {log[0]}"
    assert Path(log[0]).read_text() == "hello"
    picture = tmp_path / "p.jpg"
    picture.write_bytes(b"\xff")
    assert upload(ui, picture) == ("File type disallowed", [])  # .pdf/.docx/.txt unless told otherwise
    assert upload(ui, picture, allowed_file_types=[".jpg"])[0].startswith("File uploaded:")


def test_upload_file_follows_the_types_the_ui_was_given(tmp_path: Path) -> None:
    ui = GradioUI(agent=SimpleNamespace(name=None), file_upload_folder=tmp_path, allowed_file_types=[".csv"])
    table = tmp_path / "t.csv"
    table.write_text("a,b")
    assert upload(ui, table)[0].startswith("File uploaded:")
    text = tmp_path / "t.txt"
    text.write_text("a")
    assert upload(ui, text) == ("File type disallowed", [])
