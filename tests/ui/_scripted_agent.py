"""The agent behind the browser tests: a ScriptedModel that answers from the task it is given.

Replies depend only on the conversation the model is shown (the latest task and the steps taken
for it), never on call order, so tests and concurrent browser sessions can run in any order.
Tools include `wait_for_release(label)`, which blocks until the test releases that label: a run
can be held mid-step deterministically (to press Stop, or to run another session meanwhile).
"""

from __future__ import annotations

import re
import struct
import threading
import wave
from pathlib import Path
from typing import Any

from smolagents import ChatMessage, CodeAgent, ScriptedModel, Tool, tool
from smolagents.agent_types import AgentAudio

FILES_NOTE = "You have been provided with these files"


class Gates:
    """Named gates: `wait_for_release(label)` blocks on one until the test calls `release(label)`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived: dict[str, threading.Event] = {}
        self._released: dict[str, threading.Event] = {}

    def _events(self, label: str) -> tuple[threading.Event, threading.Event]:
        with self._lock:
            return (
                self._arrived.setdefault(label, threading.Event()),
                self._released.setdefault(label, threading.Event()),
            )

    def block(self, label: str) -> None:
        """Called by the tool: announce arrival, then wait for the release."""
        arrived, released = self._events(label)
        arrived.set()
        if not released.wait(timeout=120):
            raise TimeoutError(f"gate {label!r} was never released")

    def wait_arrived(self, label: str) -> None:
        """Wait until a run is blocked at gate `label`."""
        assert self._events(label)[0].wait(timeout=120), f"no run reached gate {label!r}"

    def release(self, label: str) -> None:
        """Let the run blocked at `label` go on."""
        self._events(label)[1].set()


def current_task(messages: list[ChatMessage]) -> tuple[str, int]:
    """Return the latest task and the number of steps already taken for it."""
    starts = [i for i, m in enumerate(messages) if m.role == "user" and m.text.startswith("New task:")]
    last = starts[-1]
    steps = sum(1 for m in messages[last + 1 :] if m.role == "assistant")
    return messages[last].text.removeprefix("New task:\n"), steps


def _code(thought: str, code: str) -> str:
    return f"Thought: {thought}\n```py\n{code}\n```"


WEATHER = [
    _code(
        "I will look up the weather in Paris with my tool.", "report = get_weather('Paris')\nprint(report)"
    ),
    _code("Now I convert the temperature to Fahrenheit.", "fahrenheit = celsius * 9 / 5 + 32"),
    _code(
        "The variable did not exist: I read the temperature from the report first.",
        "celsius = int(report.split()[-1].removesuffix('°C'))\nprint(celsius * 9 / 5 + 32)",
    ),
    _code("I have everything I need.", "final_answer('It is sunny in Paris: 22°C (71.6°F).')"),
]


def respond(messages: list[ChatMessage]) -> str:
    """Answer the latest task of the conversation, one step at a time."""
    task, step = current_task(messages)
    if FILES_NOTE in task:
        path = re.findall(r"'([^']+)'", task.split(FILES_NOTE)[1])[0]
        return _code("I read the file I was given.", f"final_answer(read_text_file({path!r}))")
    if "weather" in task:
        return WEATHER[min(step, len(WEATHER) - 1)]
    if slow := re.search(r"slow task (\w+)", task):
        if step == 0:
            return _code(
                "This takes a while.", f"status = wait_for_release({slow.group(1)!r})\nprint(status)"
            )
        return _code("Done.", f"final_answer('Finished the slow task {slow.group(1)}.')")
    if name := re.search(r"My name is (\w+)", task):
        return _code("I greet them.", f"final_answer('Nice to meet you, {name.group(1)}!')")
    if "What is my name" in task:
        earlier = re.findall(r"My name is (\w+)", " ".join(m.text for m in messages if m.role == "user"))
        answer = f"Your name is {earlier[-1]}." if earlier else "I do not know your name yet."
        return _code("I look back at our conversation.", f"final_answer({answer!r})")
    if "Draw" in task:
        return _code("I draw it with my tool.", "final_answer(draw_square())")
    if "beep" in task:
        return _code("I make the sound with my tool.", "final_answer(make_beep())")
    return _code("I answer directly.", "final_answer('I can only do scripted things.')")


def build_agent(gates: Gates, folder: Path) -> CodeAgent:
    """Return the CodeAgent of the browser tests (it streams its model's output)."""

    @tool
    def get_weather(city: str) -> str:
        """Return today's weather in a city.

        Args:
            city: The city.
        """
        return f"Sunny in {city}, 22°C"

    @tool
    def wait_for_release(label: str) -> str:
        """Wait until the test lets this run go on.

        Args:
            label: The gate to wait at.
        """
        gates.block(label)
        return f"released {label}"

    @tool
    def read_text_file(path: str) -> str:
        """Return the text of a file.

        Args:
            path: Where the file is.
        """
        return Path(path).read_text()

    class DrawSquare(Tool):
        name = "draw_square"
        description = "Draws a red square."
        inputs: dict[str, dict[str, Any]] = {}
        output_type = "image"

        def forward(self) -> Any:
            from PIL import Image

            return Image.new("RGB", (120, 120), (220, 40, 40))

    class MakeBeep(Tool):
        name = "make_beep"
        description = "Makes a short beep."
        inputs: dict[str, dict[str, Any]] = {}
        output_type = "audio"

        def forward(self) -> Any:
            path = folder / "beep.wav"
            with wave.open(str(path), "wb") as sound:
                sound.setnchannels(1)
                sound.setsampwidth(2)
                sound.setframerate(8000)
                sound.writeframes(
                    b"".join(struct.pack("<h", 8000 if i % 16 < 8 else -8000) for i in range(4000))
                )
            return AgentAudio(str(path))

    return CodeAgent(
        tools=[get_weather, wait_for_release, read_text_file, DrawSquare(), MakeBeep()],
        model=ScriptedModel(respond),
        stream_outputs=True,
        name="demo_agent",
        description="A scripted agent for the browser tests.",
        verbosity_level=0,
    )
