"""Small scripted HTTP servers on 127.0.0.1 that speak provider wire formats.

A `WireServer` records every request it receives (method, path, query, headers, body) and answers
from a queue of `Reply` objects, falling back to a responder function when the queue is empty.
The helpers below build replies in each provider's format: OpenAI chat completions (JSON and
server-sent events), Ollama `/api/chat` (JSON lines), Anthropic `/v1/messages`, and Bedrock
Converse (JSON, and ConverseStream in the AWS event-stream binary framing).
"""

from __future__ import annotations

import binascii
import contextlib
import json
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx


@dataclass
class RecordedRequest:
    """One HTTP request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


@dataclass
class Reply:
    """A scripted answer: status, headers, and a body sent whole or as timed chunks."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] | None = None
    delay: float = 0.0


Responder = Callable[[RecordedRequest], Reply]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        reply = self.server.owner.next_reply(request)
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if reply.chunks is None:
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            else:
                # Streamed bodies end when the connection closes, like many real servers do.
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in reply.chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a timeout test)

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: WireServer


class WireServer:
    """A loopback HTTP server that records requests and answers from a script.

    Args:
        responder: Answers requests when no scripted reply is queued.
        port: Port to bind on 127.0.0.1 (0 picks a free one).
    """

    def __init__(self, responder: Responder | None = None, port: int = 0) -> None:
        self.requests: list[RecordedRequest] = []
        self.replies: deque[Reply] = deque()
        self.responder = responder
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        """The bound port."""
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def last(self) -> RecordedRequest:
        """The most recent request."""
        return self.requests[-1]

    def sent_to(self, path: str) -> list[RecordedRequest]:
        """The requests received on `path` (SDKs may make side requests, e.g. model lookups)."""
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def add(self, *replies: Reply) -> None:
        """Queue replies, used in order before the responder."""
        self.replies.extend(replies)

    def next_reply(self, request: RecordedRequest) -> Reply:
        """Record `request` and return the reply to send."""
        with self._lock:
            self.requests.append(request)
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(request)
        return json_reply({"error": {"message": "no scripted reply left"}}, status=599)

    def close(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()


# ---- generic replies ---------------------------------------------------------------------------


def json_reply(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None, delay: float = 0
) -> Reply:
    """A JSON body."""
    return Reply(
        status=status,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        delay=delay,
    )


def raw_reply(body: bytes, status: int = 200, content_type: str = "application/json") -> Reply:
    """A body sent exactly as given (e.g. malformed JSON)."""
    return Reply(status=status, body=body, headers={"Content-Type": content_type})


def error_reply(
    status: int, message: str = "scripted failure", headers: dict[str, str] | None = None
) -> Reply:
    """An OpenAI-style error body with `status`."""
    return json_reply({"error": {"message": message, "type": "scripted", "code": status}}, status, headers)


# ---- OpenAI chat completions -------------------------------------------------------------------


def openai_completion(
    content: str | None = "Hello!",
    tool_calls: list[tuple[str, str]] | None = None,
    prompt_tokens: int = 11,
    completion_tokens: int = 7,
    model: str = "test-model",
) -> dict[str, Any]:
    """A chat.completion object; `tool_calls` are (name, arguments-as-JSON-text) pairs."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": arguments}}
            for i, (name, arguments) in enumerate(tool_calls)
        ]
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def openai_reply(*args: Any, **kwargs: Any) -> Reply:
    """A JSON chat completion reply (arguments as in `openai_completion`)."""
    return json_reply(openai_completion(*args, **kwargs))


def _chunk(delta: dict[str, Any], finish: str | None = None, model: str = "test-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def openai_stream_reply(
    pieces: Iterable[str] = ("Hel", "lo", " world"),
    tool_call: tuple[str, list[str]] | None = None,
    prompt_tokens: int = 11,
    completion_tokens: int = 7,
    usage_chunk: bool = True,
    done: bool = True,
) -> Reply:
    """An SSE stream: a role chunk, text pieces, optional tool-call fragments, a usage chunk, [DONE]."""
    chunks: list[dict[str, Any]] = [_chunk({"role": "assistant", "content": ""})]
    chunks += [_chunk({"content": piece}) for piece in pieces]
    if tool_call is not None:
        name, fragments = tool_call
        chunks.append(
            _chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_s",
                            "type": "function",
                            "function": {"name": name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        chunks += [_chunk({"tool_calls": [{"index": 0, "function": {"arguments": f}}]}) for f in fragments]
    chunks.append(_chunk({}, finish="tool_calls" if tool_call else "stop"))
    if usage_chunk:
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        chunks.append({**_chunk({}), "choices": [], "usage": usage})
    lines = [f"data: {json.dumps(chunk)}\n\n".encode() for chunk in chunks]
    if done:
        lines.append(b"data: [DONE]\n\n")
    return Reply(headers={"Content-Type": "text/event-stream"}, chunks=lines)


def openai_responder(content: str = "Hello!") -> Responder:
    """Answer every chat completion with `content` (streaming when the request asks for it)."""

    def respond(request: RecordedRequest) -> Reply:
        if request.json.get("stream"):
            return openai_stream_reply([content])
        return openai_reply(content)

    return respond


# ---- Ollama /api/chat --------------------------------------------------------------------------


def ollama_reply(content: str = "Hello from ollama", prompt_tokens: int = 9, eval_tokens: int = 4) -> Reply:
    """A non-streamed Ollama /api/chat answer."""
    return json_reply(
        {
            "model": "llama3.2",
            "created_at": "2026-11-24T00:00:00Z",
            "message": {"role": "assistant", "content": content},
            "done": True,
            "done_reason": "stop",
            "prompt_eval_count": prompt_tokens,
            "eval_count": eval_tokens,
        }
    )


def ollama_stream_reply(
    pieces: Iterable[str] = ("Hel", "lo"), prompt_tokens: int = 9, eval_tokens: int = 4
) -> Reply:
    """A streamed Ollama /api/chat answer: JSON lines, the last one with `done` and the counts."""
    lines = [
        {"model": "llama3.2", "message": {"role": "assistant", "content": piece}, "done": False}
        for piece in pieces
    ]
    lines.append(
        {
            "model": "llama3.2",
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "prompt_eval_count": prompt_tokens,
            "eval_count": eval_tokens,
        }
    )
    return Reply(
        headers={"Content-Type": "application/x-ndjson"},
        chunks=[(json.dumps(line) + "\n").encode() for line in lines],
    )


def ollama_responder(content: str = "Hello from ollama") -> Responder:
    """Answer /api/chat (streamed or not) and the /api/show model lookups LiteLLM makes."""

    def respond(request: RecordedRequest) -> Reply:
        if request.path == "/api/show":
            return json_reply(
                {"modelfile": "", "parameters": "", "template": "", "model_info": {}, "details": {}}
            )
        if request.json.get("stream"):
            return ollama_stream_reply([content])
        return ollama_reply(content)

    return respond


# ---- Anthropic /v1/messages --------------------------------------------------------------------


def anthropic_reply(
    content: str = "Hello from claude", input_tokens: int = 12, output_tokens: int = 5
) -> Reply:
    """A non-streamed Anthropic Messages API answer."""
    return json_reply(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-3-5-sonnet-latest",
            "content": [{"type": "text", "text": content}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        }
    )


def anthropic_stream_reply(
    pieces: Iterable[str] = ("Hel", "lo"), input_tokens: int = 12, output_tokens: int = 5
) -> Reply:
    """A streamed Messages API answer: input tokens in message_start, output tokens at the end."""
    events: list[tuple[str, dict[str, Any]]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_1",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-3-5-sonnet-latest",
                    "content": [],
                    "stop_reason": None,
                    "usage": {"input_tokens": input_tokens, "output_tokens": 1},
                },
            },
        ),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
    ]
    events += [
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}},
        )
        for p in pieces
    ]
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": output_tokens},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    lines = [f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events]
    return Reply(headers={"Content-Type": "text/event-stream"}, chunks=lines)


# ---- Bedrock Converse --------------------------------------------------------------------------


def converse_response(
    text: str | None = "Hello from bedrock",
    tool_use: tuple[str, dict[str, Any]] | None = None,
    input_tokens: int = 13,
    output_tokens: int = 6,
) -> dict[str, Any]:
    """A Converse API response body."""
    content: list[dict[str, Any]] = []
    if text is not None:
        content.append({"text": text})
    if tool_use is not None:
        content.append({"toolUse": {"toolUseId": "tooluse_1", "name": tool_use[0], "input": tool_use[1]}})
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "tool_use" if tool_use else "end_turn",
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        },
        "metrics": {"latencyMs": 12},
    }


def _event_header(name: str, value: str) -> bytes:
    name_bytes, value_bytes = name.encode(), value.encode()
    # header: name length (1 byte), name, value type 7 (string), value length (2 bytes), value
    return bytes([len(name_bytes)]) + name_bytes + b"\x07" + struct.pack(">H", len(value_bytes)) + value_bytes


def event_stream_frame(event_type: str, payload: dict[str, Any], message_type: str = "event") -> bytes:
    """Encode one AWS event-stream message (the binary framing of ConverseStream)."""
    type_header = ":exception-type" if message_type == "exception" else ":event-type"
    headers = (
        _event_header(type_header, event_type)
        + _event_header(":content-type", "application/json")
        + _event_header(":message-type", message_type)
    )
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + headers + body
    return message + struct.pack(">I", binascii.crc32(message) & 0xFFFFFFFF)


def converse_stream_reply(
    pieces: Iterable[str] = ("Hel", "lo"),
    tool_use: tuple[str, list[str]] | None = None,
    input_tokens: int = 13,
    output_tokens: int = 6,
) -> Reply:
    """A ConverseStream reply: text deltas, optional tool-use input fragments, then usage metadata."""
    frames = [event_stream_frame("messageStart", {"role": "assistant"})]
    frames += [
        event_stream_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}})
        for piece in pieces
    ]
    frames.append(event_stream_frame("contentBlockStop", {"contentBlockIndex": 0}))
    if tool_use is not None:
        name, fragments = tool_use
        start = {"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "tooluse_s", "name": name}}}
        frames.append(event_stream_frame("contentBlockStart", start))
        frames += [
            event_stream_frame(
                "contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": f}}}
            )
            for f in fragments
        ]
        frames.append(event_stream_frame("contentBlockStop", {"contentBlockIndex": 1}))
    frames.append(event_stream_frame("messageStop", {"stopReason": "tool_use" if tool_use else "end_turn"}))
    usage = {
        "inputTokens": input_tokens,
        "outputTokens": output_tokens,
        "totalTokens": input_tokens + output_tokens,
    }
    frames.append(event_stream_frame("metadata", {"usage": usage, "metrics": {"latencyMs": 10}}))
    return Reply(headers={"Content-Type": "application/vnd.amazon.eventstream"}, chunks=frames)


def bedrock_error_reply(status: int, code: str, message: str = "scripted failure") -> Reply:
    """A Bedrock runtime error body (REST-JSON protocol)."""
    return json_reply({"message": message}, status=status, headers={"x-amzn-ErrorType": code})


# ---- huggingface_hub: reach fixed Hugging Face URLs on loopback ---------------------------------


class _ToLoopback(httpx.BaseTransport):
    """Send every request to `target`, keeping path, query, headers and body."""

    def __init__(self, target: str) -> None:
        self.target = httpx.URL(target)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["x-original-host"] = request.url.host
        request.url = request.url.copy_with(scheme="http", host=self.target.host, port=self.target.port)
        return self.inner.handle_request(request)


class _AsyncToLoopback(httpx.AsyncBaseTransport):
    def __init__(self, target: str) -> None:
        self.target = httpx.URL(target)
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["x-original-host"] = request.url.host
        request.url = request.url.copy_with(scheme="http", host=self.target.host, port=self.target.port)
        return await self.inner.handle_async_request(request)


@contextlib.contextmanager
def hub_traffic_to(wire: WireServer) -> Iterator[None]:
    """Carry huggingface_hub's HTTP traffic (router, Hub API) to `wire`.

    Uses the SDK's own `set_client_factory` hook: the SDK builds the real request for
    ``https://router.huggingface.co/...``; only the socket goes to loopback. The original host is
    kept in an ``x-original-host`` header for assertions.
    """
    from huggingface_hub.utils import _http

    _http.set_client_factory(lambda: httpx.Client(transport=_ToLoopback(wire.url), timeout=None))
    _http.set_async_client_factory(
        lambda: httpx.AsyncClient(transport=_AsyncToLoopback(wire.url), timeout=None)
    )
    try:
        yield
    finally:
        _http.set_client_factory(_http.default_client_factory)
        _http.set_async_client_factory(_http.default_async_client_factory)
