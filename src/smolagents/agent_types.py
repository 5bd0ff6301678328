"""Typed wrappers for what tools and agents return: text, images and audio.

Each wrapper keeps the raw value (`to_raw`) and can render itself as a string (`to_string`: the
text, or the path of a file holding the image or sound). PIL, numpy and soundfile are imported only
when an image or a sound is actually handled.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
from pathlib import Path
from typing import Any

__all__ = [
    "AgentAudio",
    "AgentImage",
    "AgentText",
    "AgentType",
    "handle_agent_input_types",
    "handle_agent_output_types",
]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IMAGE_SIGNATURES = (_PNG_SIGNATURE, b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")


class AgentType:
    """Base of the wrappers: holds a raw value and renders it as a string."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def to_raw(self) -> Any:
        """Return the wrapped value in its native form."""
        return self._value

    def to_string(self) -> str:
        """Return the value as a string (text, or the path of a file holding it)."""
        return str(self._value)

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_string()!r})"


class AgentText(AgentType, str):
    """Text returned by a tool or an agent; it is a `str`."""

    def __new__(cls, value: Any) -> AgentText:
        return str.__new__(cls, value)

    def __init__(self, value: Any) -> None:
        AgentType.__init__(self, value)

    def to_raw(self) -> str:
        """Return the text as a plain `str`."""
        return str(self._value)

    def to_string(self) -> str:
        """Return the text as a plain `str`."""
        return str(self._value)

    def __repr__(self) -> str:
        return str.__repr__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (AgentText, (str(self._value),))


class AgentImage(AgentType):
    """An image: built from a PIL image, a file path, encoded bytes, base64 text or an array.

    Attribute access not defined here (``size``, ``save``...) goes to the PIL image.
    """

    def __init__(self, value: Any) -> None:
        super().__init__(value._value if isinstance(value, AgentImage) else value)
        self._image: Any = None  # the decoded PIL image, built on first need
        self._path: str | None = None
        self._bytes: bytes | None = None
        if isinstance(value, AgentImage):
            self._image, self._path, self._bytes = value._image, value._path, value._bytes
        elif isinstance(value, os.PathLike):
            self._path = os.fspath(value)
        elif isinstance(value, str):
            self._bytes = _decode_base64_image(value)
            if self._bytes is None:
                self._path = value
        elif isinstance(value, (bytes, bytearray)):
            self._bytes = bytes(value)
        elif _is_pil_image(value):
            self._image = value
        elif hasattr(value, "__array__"):
            self._image = _image_from_array(value)
        else:
            raise TypeError(
                f"AgentImage takes a PIL image, a file path, image bytes, base64 text or an array; got "
                f"{type(value).__name__}."
            )

    def to_raw(self) -> Any:
        """Return the image as a `PIL.Image.Image`."""
        if self._image is None:
            image_module = _import_pil()
            source: Any = self._path if self._path is not None else io.BytesIO(self._bytes or b"")
            image = image_module.open(source)
            image.load()
            self._image = image
        return self._image

    def to_string(self) -> str:
        """Return the path of a PNG file holding the image (written to a temp dir if needed)."""
        if self._path is None:
            path = _new_file_path("image", ".png")
            Path(path).write_bytes(self._png_bytes())
            self._path = path
        return self._path

    def to_base64(self) -> str:
        """Return the image as base64-encoded PNG (or the original encoded bytes when they are PNG)."""
        return base64.b64encode(self._png_bytes()).decode("ascii")

    def _png_bytes(self) -> bytes:
        if self._bytes is None and self._path is not None and self._image is None:
            data = Path(self._path).read_bytes()
            if data.startswith(_PNG_SIGNATURE):
                return data
        elif self._bytes is not None and self._bytes.startswith(_PNG_SIGNATURE):
            return self._bytes
        buffer = io.BytesIO()
        self.to_raw().save(buffer, format="PNG")
        return buffer.getvalue()

    def __repr__(self) -> str:
        if self._path is not None:
            return f"AgentImage({self._path!r})"
        if self._image is not None:
            return f"AgentImage(<{self._image.mode} image {self._image.size[0]}x{self._image.size[1]}>)"
        return f"AgentImage(<{len(self._bytes or b'')} encoded bytes>)"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.to_raw(), name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AgentImage):
            return NotImplemented
        return self._png_bytes() == other._png_bytes()

    __hash__ = None  # type: ignore[assignment]  # equality compares pixels, which can change

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display  # only ever called inside IPython

        display(Image(data=self._png_bytes()))


class AgentAudio(AgentType):
    """A sound: built from a file path, a numpy array or torch tensor, or ``(samplerate, array)``.

    Args:
        value: The sound.
        samplerate: Samples per second of an array or tensor (ignored for files).
    """

    def __init__(self, value: Any, samplerate: int = 16_000) -> None:
        if isinstance(value, AgentAudio):
            samplerate, value = value.samplerate, value._value
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int):
            samplerate, value = value
        super().__init__(value)
        self.samplerate: int = samplerate
        self._path: str | None = None
        if isinstance(value, (str, os.PathLike)):
            self._path = os.fspath(value)
        elif not hasattr(value, "__array__") and not hasattr(value, "numpy"):
            raise TypeError(
                f"AgentAudio takes a file path, a numpy array, a torch tensor or (samplerate, array); got "
                f"{type(value).__name__}."
            )

    def __repr__(self) -> str:
        if self._path is not None:
            return f"AgentAudio({self._path!r})"
        return f"AgentAudio(<{type(self._value).__name__} at {self.samplerate} Hz>)"

    def to_raw(self) -> Any:
        """Return the samples: the array or tensor given, or a float32 numpy array read from the file."""
        if self._path is None:
            return self._value
        samples, self.samplerate = _read_audio(self._path)
        return samples

    def to_string(self) -> str:
        """Return the path of a .wav file holding the sound (written to a temp dir if needed)."""
        if self._path is None:
            path = _new_file_path("audio", ".wav")
            _write_wav(path, self._value, self.samplerate)
            self._path = path
        return self._path


_OUTPUT_TYPES: dict[str, type[AgentType]] = {"string": AgentText, "image": AgentImage, "audio": AgentAudio}
_AGENT_TYPE_MAPPING = _OUTPUT_TYPES  # the name smolagents 1.26 code imports


def handle_agent_input_types(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Replace every `AgentType` argument by its raw value; return ``(args, kwargs)``."""
    raw_args = tuple(arg.to_raw() if isinstance(arg, AgentType) else arg for arg in args)
    raw_kwargs = {
        key: value.to_raw() if isinstance(value, AgentType) else value for key, value in kwargs.items()
    }
    return raw_args, raw_kwargs


def handle_agent_output_types(output: Any, output_type: str | None = None) -> Any:
    """Wrap a tool's output in the `AgentType` matching `output_type` (or, if unknown, its Python type).

    Args:
        output: The raw output.
        output_type: The tool's declared output type; for "any", None or another type the
            wrapper is chosen from the value (str -> AgentText, PIL image -> AgentImage).
    """
    if isinstance(output, AgentType) or output is None:
        return output
    wrapper = _OUTPUT_TYPES.get(output_type or "")
    if wrapper is not None:
        return wrapper(output)
    if isinstance(output, str):
        return AgentText(output)
    if _is_pil_image(output):
        return AgentImage(output)
    return output


def _new_file_path(kind: str, suffix: str) -> str:
    import tempfile
    import uuid

    directory = tempfile.mkdtemp(prefix=f"smolagents-{kind}-")
    return os.path.join(directory, f"{uuid.uuid4().hex}{suffix}")


def _is_pil_image(value: Any) -> bool:
    # Checked through the class hierarchy so PIL is not imported for non-images.
    return any(
        klass.__module__.startswith("PIL.") and klass.__name__ == "Image" for klass in type(value).__mro__
    )


def _decode_base64_image(text: str) -> bytes | None:
    """Return the image bytes encoded in `text` (base64 or a data URL), or None if it is a path."""
    if text.startswith("data:"):
        try:
            return base64.b64decode(text.partition(",")[2], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError(
                f"AgentImage got a data URL whose payload is not valid base64: {text[:40]!r}..."
            ) from error
    if os.path.exists(text) or len(text) < 64:
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if data.startswith(_IMAGE_SIGNATURES) else None


def _import_pil() -> Any:
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("Handling images needs Pillow: pip install 'smolagents[vision]'.") from error
    return Image


def _image_from_array(value: Any) -> Any:
    import numpy as np

    array = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)
    if array.dtype != np.uint8:
        array = (np.clip(array, 0, 1) * 255).astype(np.uint8) if array.max() <= 1 else array.astype(np.uint8)
    return _import_pil().fromarray(array)


def _read_audio(path: str) -> tuple[Any, int]:
    try:
        import soundfile
    except ImportError:
        return _read_wav(path)
    samples, samplerate = soundfile.read(path, dtype="float32")
    return samples, int(samplerate)


def _read_wav(path: str) -> tuple[Any, int]:
    """Read 16-bit PCM .wav with the standard library, for machines without soundfile."""
    import wave

    import numpy as np

    with wave.open(path, "rb") as reader:
        if reader.getsampwidth() != 2:
            raise ValueError(
                f"Reading {path!r} needs soundfile (only 16-bit PCM .wav is read without it): "
                "pip install 'smolagents[audio]'."
            )
        frames = reader.readframes(reader.getnframes())
        channels, samplerate = reader.getnchannels(), reader.getframerate()
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    return (samples.reshape(-1, channels) if channels > 1 else samples), samplerate


def _write_wav(path: str, samples: Any, samplerate: int) -> None:
    import numpy as np

    array = np.asarray(samples.detach().cpu() if hasattr(samples, "detach") else samples)
    try:
        import soundfile
    except ImportError:
        import wave

        if array.dtype.kind == "f":
            array = (np.clip(array, -1.0, 1.0) * 32767).astype("<i2")
        array = array.astype("<i2")
        channels = 1 if array.ndim == 1 else array.shape[1]
        with wave.open(path, "wb") as writer:
            writer.setnchannels(channels)
            writer.setsampwidth(2)
            writer.setframerate(samplerate)
            writer.writeframes(array.tobytes())
        return
    soundfile.write(path, array, samplerate)
