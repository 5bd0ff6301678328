"""The GGUF reader and ONNX exporter on the real SmolLM2 GGUF file (no inference).

The exporter repacks the GGUF's quantized blocks instead of re-quantizing; these tests hold it to
that: the values it hands to onnxruntime equal the values the `gguf` package dequantizes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from smolagents.models._embedded import locate_embedded_gguf
from smolagents.models._gguf_tokenizer import write_tokenizer_files
from smolagents.models._gguf_weights import GGUFFile, open_gguf, unpermute_rope_rows

gguf = pytest.importorskip("gguf")


@pytest.fixture(scope="module")
def smollm2() -> GGUFFile:
    return open_gguf(locate_embedded_gguf())


def reference_values(file: GGUFFile, name: str) -> np.ndarray:
    """Dequantize a tensor with the gguf package's own code."""
    from gguf.quants import dequantize

    tensor = next(tensor for tensor in file._reader.tensors if tensor.name == name)
    return np.asarray(dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)


@pytest.mark.parametrize("name", ["blk.0.attn_q.weight", "blk.7.ffn_down.weight", "token_embd.weight"])
def test_repacked_blocks_hold_exactly_the_gguf_values(smollm2: GGUFFile, name: str) -> None:
    matrix = smollm2.matrix(name)
    expected = reference_values(smollm2, name)
    assert matrix.dequantize().shape == expected.shape
    np.testing.assert_allclose(matrix.dequantize(), expected, rtol=1e-6, atol=1e-6)


def test_q_and_k_rows_return_to_the_half_rotation_order(smollm2: GGUFFile) -> None:
    shape = smollm2.shape()
    gguf_rows = smollm2.matrix("blk.0.attn_k.weight")
    restored = unpermute_rope_rows(gguf_rows, shape.kv_heads).dequantize()
    # llama.cpp's converter interleaves each head's halves: HF row i (first half) -> 2i, i + d/2 -> 2i + 1.
    half = shape.head_size // 2
    again = restored.reshape(shape.kv_heads, 2, half, -1).swapaxes(1, 2).reshape(restored.shape)
    np.testing.assert_array_equal(again, gguf_rows.dequantize())


def test_shape_is_read_from_the_metadata(smollm2: GGUFFile) -> None:
    shape = smollm2.shape()
    assert (shape.layers, shape.hidden, shape.heads, shape.kv_heads, shape.vocab) == (30, 576, 9, 3, 49152)
    assert shape.head_size == 64 and shape.context == 8192


def test_unsupported_quantization_is_refused_with_the_supported_formats(smollm2: GGUFFile) -> None:
    with pytest.raises(ValueError, match="float32 vector"):
        smollm2.vector("blk.0.attn_q.weight")
    with pytest.raises(ValueError, match="reads Q4_1 and Q8_0"):
        smollm2.matrix("blk.0.attn_norm.weight")


def test_tokenizer_files_follow_the_gguf_vocabulary(smollm2: GGUFFile, tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    ids = write_tokenizer_files(smollm2, tmp_path)
    assert ids == {"bos": 1, "eos": 2, "unknown": 0, "padding": 2}
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert config["eos_token"] == "<|im_end|>" and config["bos_token"] == "<|im_start|>"
    assert "<|im_start|>" in (tmp_path / "chat_template.jinja").read_text()
    tokenizer = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    text = "<|im_start|>user\nPrint 12 + 30, then café!<|im_end|>\n"
    encoded = tokenizer.encode(text)
    assert encoded.ids[0] == 1 and 2 in encoded.ids  # special tokens stay whole
    assert tokenizer.decode(encoded.ids, skip_special_tokens=False) == text
    assert [tokenizer.id_to_token(i) for i in encoded.ids if tokenizer.id_to_token(i).isdigit()] == [
        "1",
        "2",
        "3",
        "0",
    ]
