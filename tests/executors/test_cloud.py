"""Cloud executors through their SDKs, against loopback stand-ins of their services: E2B (its SDK's
debug mode), Blaxel (HTTP API), Modal (gRPC servicer on `modal_proto`). Tools are shipped as code there.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest
from kinds import KINDS, service
from shippable_tools import CounterTool

from smolagents import CodeAgent, LogLevel, ScriptedModel, Tool
from smolagents.remote_executors import BlaxelExecutor, E2BExecutor, ModalExecutor, SandboxUnavailableError


def e2b(**kwargs: Any) -> E2BExecutor:
    return E2BExecutor([], debug=True, sandbox_url=service("e2b").url, api_key="e2b_test", **kwargs)


def blaxel(**kwargs: Any) -> BlaxelExecutor:
    os.environ.setdefault("BL_API_KEY", "test-key")
    os.environ.setdefault("BL_WORKSPACE", "test-workspace")
    return BlaxelExecutor([], api_url=service("gateway").url, **kwargs)


def test_e2b_runs_cells_through_the_sdk_and_ships_tools() -> None:
    server = service("e2b")
    before = len(server.requests)
    counter = CounterTool()
    with e2b() as executor:
        executor.send_tools({"counter": counter})
        assert executor("counter(step=5)").output == 105
    assert counter.calls == 0  # it ran in the sandbox, from its source
    assert server.requests[before:] and all(
        path.startswith("/execute") for _, path in server.requests[before:]
    )


def test_blaxel_creates_and_deletes_its_sandbox_through_the_sdk() -> None:
    server = service("gateway")
    before = len(server.requests)
    with blaxel(sandbox_name="conformance-box", memory=2048) as executor:
        assert executor("sum(range(5))").output == 10
    requests = server.requests[before:]
    assert requests[0] == ("POST", "/sandboxes?createIfNotExist=false") or requests[0][1].startswith(
        "/sandboxes"
    )
    assert any(path.startswith("/port/8888/api/kernels") for method, path in requests if method == "POST")
    assert ("DELETE", "/sandboxes/conformance-box") in requests


def test_modal_creates_and_terminates_its_sandbox_through_the_sdk() -> None:
    executor = KINDS["modal"].build(30, [], app_name="conformance-app", port=8890)
    server = service("modal")
    try:
        assert executor("sum(range(5))").output == 10
        created = next(request for name, request in reversed(server.calls) if name == "SandboxCreateV2")
        sandbox_id = next(key for key in server.sandboxes)
        assert list(created.definition.entrypoint_args[:2]) == ["jupyter", "kernelgateway"]
        assert [port.port for port in created.definition.open_ports.ports] == [8890]
        assert created.definition.open_ports.ports[0].unencrypted is False
        apps = [request.app_name for name, request in server.calls if name == "AppGetOrCreate"]
        assert apps[-1] == "conformance-app"
    finally:
        executor.cleanup()
    assert server.names()[-1] == "SandboxTerminateV2" and server.calls[-1][1].sandbox_id == sandbox_id
    assert server.sandboxes == {}


def test_additional_imports_are_installed_with_pip_in_the_sandbox() -> None:
    url = service("e2b").url
    with E2BExecutor(["pytest"], debug=True, sandbox_url=url, api_key="e2b_test") as executor:
        assert executor.installed_packages == ["pytest"]  # already there, so pip succeeds offline


def unshippable_tool() -> Tool:
    namespace: dict[str, Any] = {}
    exec(
        "from smolagents import tool\n"
        "@tool\n"
        "def secret_lookup(key: str) -> str:\n"
        "    '''Look a key up.\n\n    Args:\n        key: The key.\n    '''\n"
        "    return key\n",
        namespace,
    )
    return namespace["secret_lookup"]


@pytest.mark.parametrize("executor_type", ["e2b", "modal", "blaxel"])
def test_a_tool_that_cannot_be_shipped_is_refused_when_the_agent_is_built(executor_type: str) -> None:
    with pytest.raises(ValueError, match=r"secret_lookup.*cannot be shipped") as raised:
        CodeAgent(tools=[unshippable_tool()], model=ScriptedModel([]), executor_type=executor_type)
    assert "'isolated' or 'docker' keep tools in this process" in str(raised.value)


def test_a_managed_agent_is_refused_by_cloud_sandboxes() -> None:
    helper = CodeAgent(tools=[], model=ScriptedModel([]), name="helper", description="Helps.")
    with pytest.raises(ValueError, match="'helper' is not a Tool"):
        CodeAgent(tools=[], model=ScriptedModel([]), managed_agents=[helper], executor_type="e2b")


def test_a_code_agent_runs_in_e2b() -> None:
    model = ScriptedModel(["```py\nvalues = [counter(step=i) for i in range(3)]\nfinal_answer(values)\n```"])
    kwargs = {"debug": True, "sandbox_url": service("e2b").url, "api_key": "e2b_test"}
    with CodeAgent(
        tools=[CounterTool()],
        model=model,
        executor_type="e2b",
        executor_kwargs=kwargs,
        verbosity_level=LogLevel.OFF,
    ) as agent:
        assert agent.run("count") == [100, 201, 302]


def test_modal_without_credentials_fails_clearly_before_any_sandbox(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    for name in [name for name in os.environ if name.startswith("MODAL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("MODAL_CONFIG_PATH", str(tmp_path / "modal.toml"))
    monkeypatch.setenv("MODAL_SERVER_URL", f"http://127.0.0.1:{port}")
    # The SDK keeps the first client it made from the environment (the loopback stand-in's, if a
    # test used it): this test needs a new one.
    monkeypatch.setattr(__import__("modal.client").client._Client, "_client_from_env", None)
    with pytest.raises(SandboxUnavailableError, match=r"Modal sandbox.*Token missing"):
        ModalExecutor([])
