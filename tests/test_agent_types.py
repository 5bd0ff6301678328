"""AgentText, AgentImage, AgentAudio and the input/output handlers tools use."""

import base64
import io
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from smolagents import AgentAudio, AgentImage, AgentText, AgentType
from smolagents.agent_types import handle_agent_input_types, handle_agent_output_types


def red_square(size: int = 4) -> Image.Image:
    return Image.new("RGB", (size, size), (255, 0, 0))


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_agent_text_is_a_str_with_raw_and_string_forms() -> None:
    text = AgentText("hello")
    assert isinstance(text, str)
    assert isinstance(text, AgentType)
    assert text == "hello"
    assert text.upper() == "HELLO"
    assert text.to_raw() == "hello" and type(text.to_raw()) is str
    assert text.to_string() == "hello"
    assert repr(text) == "'hello'"


def test_agent_image_from_pil_saves_a_png_path_and_encodes_base64() -> None:
    image = AgentImage(red_square())
    assert image.to_raw().size == (4, 4)
    path = image.to_string()
    assert path.endswith(".png") and os.path.exists(path)
    assert Image.open(path).getpixel((0, 0)) == (255, 0, 0)
    decoded = Image.open(io.BytesIO(base64.b64decode(image.to_base64())))
    assert decoded.format == "PNG" and decoded.getpixel((1, 1)) == (255, 0, 0)


def test_agent_image_from_path_keeps_the_path_and_loads_lazily(tmp_path: Path) -> None:
    path = tmp_path / "red.png"
    red_square(6).save(path)
    image = AgentImage(str(path))
    assert image.to_string() == str(path)
    assert image.to_raw().size == (6, 6)
    assert AgentImage(path).to_string() == str(path)
    assert base64.b64decode(image.to_base64()) == path.read_bytes()


def test_agent_image_from_bytes_base64_and_data_url() -> None:
    data = png_bytes(red_square(3))
    encoded = base64.b64encode(data).decode()
    for source in (data, encoded, f"data:image/png;base64,{encoded}"):
        image = AgentImage(source)
        assert image.to_raw().size == (3, 3)
        assert image.to_base64() == encoded


def test_agent_image_from_jpeg_bytes_is_reencoded_as_png() -> None:
    buffer = io.BytesIO()
    red_square(8).save(buffer, format="JPEG")
    image = AgentImage(buffer.getvalue())
    assert base64.b64decode(image.to_base64()).startswith(b"\x89PNG")


def test_agent_image_from_array_and_delegates_attributes_to_pil() -> None:
    array = np.zeros((2, 5, 3), dtype=np.uint8)
    image = AgentImage(array)
    assert image.size == (5, 2)
    assert image.mode == "RGB"
    assert AgentImage(image).to_raw() is image.to_raw()
    assert repr(image) == "AgentImage(<RGB image 5x2>)"  # repr writes no file


def test_agent_images_compare_by_pixels() -> None:
    assert AgentImage(red_square()) == AgentImage(png_bytes(red_square()))
    assert AgentImage(red_square()) != AgentImage(Image.new("RGB", (4, 4), (0, 0, 255)))


def test_agent_image_rejects_unknown_inputs_clearly() -> None:
    with pytest.raises(
        TypeError,
        match="AgentImage takes a PIL image, a file path, image bytes, base64 text or an array; got int",
    ):
        AgentImage(42)
    with pytest.raises(ValueError, match="data URL whose payload is not valid base64"):
        AgentImage("data:image/png;base64,@@@")


def test_agent_audio_from_array_writes_a_wav_file_and_reads_it_back() -> None:
    samples = np.sin(np.linspace(0, 2 * np.pi * 5, 1600)).astype(np.float32) * 0.5
    audio = AgentAudio(samples, samplerate=8000)
    assert audio.to_raw() is samples
    path = audio.to_string()
    assert path.endswith(".wav")
    with wave.open(path, "rb") as reader:
        assert (reader.getframerate(), reader.getnframes(), reader.getnchannels()) == (8000, 1600, 1)
    reread = AgentAudio(path)
    np.testing.assert_allclose(reread.to_raw(), samples, atol=1e-3)
    assert reread.samplerate == 8000


def test_agent_audio_accepts_a_samplerate_tuple_and_torch_tensors() -> None:
    torch = pytest.importorskip("torch")
    audio = AgentAudio((22050, torch.zeros(100)))
    assert audio.samplerate == 22050
    with wave.open(audio.to_string(), "rb") as reader:
        assert reader.getframerate() == 22050 and reader.getnframes() == 100


def test_agent_audio_rejects_unknown_inputs_clearly() -> None:
    with pytest.raises(TypeError, match="AgentAudio takes a file path, a numpy array"):
        AgentAudio(3.5)


def test_handle_agent_input_types_unwraps_agent_types_only() -> None:
    image = AgentImage(red_square())
    args, kwargs = handle_agent_input_types(AgentText("a"), 1, picture=image, n=2)
    assert type(args[0]) is str and args[1] == 1
    assert kwargs["picture"] is image.to_raw()
    assert kwargs["n"] == 2


def test_handle_agent_output_types_wraps_by_declared_type_then_by_value() -> None:
    assert isinstance(handle_agent_output_types("x", "string"), AgentText)
    assert isinstance(handle_agent_output_types(red_square(), "image"), AgentImage)
    assert isinstance(handle_agent_output_types(np.zeros(10), "audio"), AgentAudio)
    assert isinstance(handle_agent_output_types("x", "any"), AgentText)
    assert isinstance(handle_agent_output_types(red_square(), None), AgentImage)
    assert handle_agent_output_types(3, "integer") == 3
    assert handle_agent_output_types(None, "string") is None


def test_importing_agent_types_does_not_import_pil_or_numpy() -> None:
    code = "import sys, smolagents.agent_types; print('PIL' in sys.modules, 'numpy' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert output.split() == ["False", "False"]


def test_agent_types_survive_pickle_and_deepcopy() -> None:
    import copy
    import pickle

    image = AgentImage(red_square())
    for clone in (pickle.loads(pickle.dumps(image)), copy.deepcopy(image)):
        assert clone == image
    text = pickle.loads(pickle.dumps(AgentText("hi")))
    assert isinstance(text, AgentText) and text == "hi"
