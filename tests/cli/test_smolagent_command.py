"""The installed `smolagent` command, run as a subprocess as a person would run it."""

from __future__ import annotations

from _commands import assert_one_sentence_errors, model_flags, run, scripted_replies
from _servers import WireServer


def test_a_task_runs_and_prints_the_answer(model_server: WireServer) -> None:
    model_server.responder = scripted_replies("Thought: easy.\n```py\nfinal_answer(2 + 2)\n```")
    result = run("smolagent", "What is 2 + 2?", *model_flags(model_server), "--verbosity-level", "0")
    assert (result.returncode, result.stdout.strip()) == (0, "4"), result.stderr
    assert "Traceback" not in result.stderr and "error" not in result.stderr
    request = model_server.sent_to("/v1/chat/completions")[0]
    assert request.json["model"] == "scripted" and request.json["stream"] is True
    assert request.headers["authorization"] == "Bearer test-key"
    assert "What is 2 + 2?" in str(request.json["messages"])


def test_the_run_is_shown_step_by_step_by_default(model_server: WireServer) -> None:
    model_server.responder = scripted_replies(
        "Thought: compute.\n```py\nimport math\nprint(math.sqrt(16))\n```",
        "Thought: done.\n```py\nfinal_answer('four')\n```",
    )
    result = run("smolagent", "Square root of 16?", *model_flags(model_server), "--imports", "math")
    assert result.returncode == 0, result.stderr
    assert "Step 1" in result.stdout and "4.0" in result.stdout and "Final answer: four" in result.stdout


def test_tool_calling_agents_and_default_tools_by_name(model_server: WireServer) -> None:
    from _servers import openai_stream_reply

    model_server.responder = lambda request: openai_stream_reply(
        [], tool_call=("final_answer", ['{"answer": ', '"done"}'])
    )
    result = run(
        "smolagent", "Finish", *model_flags(model_server), "--action-type", "tool_calling",
        "--tools", "python_interpreter", "--verbosity-level", "0",
    )  # fmt: skip
    assert (result.returncode, result.stdout.strip()) == (0, "done"), result.stderr
    tools = model_server.sent_to("/v1/chat/completions")[0].json["tools"]
    assert {tool["function"]["name"] for tool in tools} == {"python_interpreter", "final_answer"}


def test_settings_that_cannot_work_are_one_sentence_and_status_2() -> None:
    assert_one_sentence_errors("smolagent", [
        (["--model-type", "Nope"], "Unsupported model type: Nope; use one of InferenceClientModel"),
        (["--model-type", "InferenceClientModel"], "InferenceClientModel needs a Hugging Face token: pass --api-key"),
        (["--model-type", "OpenAIModel", "--model-id", "gpt-4o"], "OpenAIModel needs an API key: pass --api-key or set OPENAI_API_KEY"),
        (["--model-type", "OpenAIModel", "--model-id", "m", "--api-base", "http://127.0.0.1:9", "--tools", "teleport"], "Unknown tool 'teleport': use one of"),
        (["--model-type", "OpenAIModel", "--model-id", "m", "--api-base", "http://127.0.0.1:9", "--action-type", "dance"], "Unknown action type 'dance'"),
    ])  # fmt: skip


def test_a_failing_model_server_ends_the_run_with_status_1_and_no_traceback(model_server: WireServer) -> None:
    model_server.responder = lambda request: __import__("_servers").error_reply(401, "invalid key")
    result = run("smolagent", "Hello", *model_flags(model_server), "--verbosity-level", "0")
    assert result.returncode == 1
    assert result.stderr.startswith("smolagent: error: The run failed:") and "Traceback" not in result.stderr


def test_interactive_mode_asks_for_the_settings_and_the_task(model_server: WireServer) -> None:
    model_server.responder = scripted_replies("Thought: sum.\n```py\nfinal_answer(3 + 4)\n```")
    answers = [
        "code",  # action type
        "",  # tools: none
        "OpenAIServerModel",  # model type
        "scripted",  # model id
        "y",  # advanced options
        "",  # provider
        f"{model_server.url}/v1",  # API base
        "test-key",  # API key
        "",  # extra imports
        "What is 3 + 4?",  # the task
    ]
    result = run("smolagent", stdin="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    for question in ("Action type", "Tools", "Model type", "Model id", "API base URL", "Your task"):
        assert question in result.stdout
    assert "Final answer: 7" in result.stdout
    assert "What is 3 + 4?" in str(model_server.sent_to("/v1/chat/completions")[0].json["messages"])


def test_interactive_mode_offers_defaults_and_stops_cleanly_when_input_ends() -> None:
    result = run("smolagent", stdin="\n\n")
    assert result.returncode == 2
    assert "[code/tool_calling] (code)" in result.stdout
    assert result.stderr.startswith("smolagent: error: The input ended before the task was given")
