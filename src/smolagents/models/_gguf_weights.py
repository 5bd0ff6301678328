"""Reading a llama-architecture GGUF file into the weight layouts onnxruntime's kernels take.

The GGUF stores each linear layer as rows of 32-value blocks (Q4_1: a scale, a minimum and 4-bit
codes; Q8_0: a scale and signed 8-bit codes). onnxruntime's `MatMulNBits` reads the same blocks
with a scale and a zero point per block, so the codes are repacked, never re-quantized: the ONNX
model computes with exactly the weights the GGUF holds. Pure numpy; the `gguf` package parses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["BLOCK", "GGUFFile", "LlamaShape", "QuantizedMatrix", "open_gguf"]

BLOCK = 32  # values per quantization block in Q4_1 and Q8_0
_Q4_1_BYTES = 20  # float16 scale, float16 minimum, 16 bytes of 4-bit codes
_Q8_0_BYTES = 34  # float16 scale, 32 signed bytes


@dataclass(frozen=True)
class LlamaShape:
    """The hyper-parameters of a llama-architecture model, as its GGUF metadata states them."""

    layers: int
    hidden: int
    intermediate: int
    heads: int
    kv_heads: int
    vocab: int
    context: int
    rope_base: float
    rms_epsilon: float

    @property
    def head_size(self) -> int:
        """Width of one attention head."""
        return self.hidden // self.heads


@dataclass(frozen=True)
class QuantizedMatrix:
    """A weight matrix of `rows` x `columns` in `MatMulNBits` layout, plus per-block offsets.

    `codes` is uint8 [rows, columns / 32, 32 * bits / 8] and `scales` float32 [rows, columns / 32];
    the kernel's value is (code - 2^(bits-1)) * scale. `offsets` (float32 [rows, columns / 32],
    or None when all zero) is added to every value of its block: the graph applies it as
    `block sums of the input @ offsets^T`, which keeps asymmetric formats exact.
    """

    codes: np.ndarray
    scales: np.ndarray
    offsets: np.ndarray | None
    bits: int

    @property
    def rows(self) -> int:
        """Output features."""
        return int(self.codes.shape[0])

    @property
    def columns(self) -> int:
        """Input features."""
        return int(self.codes.shape[1]) * BLOCK

    def take_rows(self, order: np.ndarray) -> QuantizedMatrix:
        """Return the matrix with its rows reordered (blocks run along rows, so this is exact)."""
        offsets = None if self.offsets is None else self.offsets[order]
        return QuantizedMatrix(self.codes[order], self.scales[order], offsets, self.bits)

    def dequantize(self) -> np.ndarray:
        """Return the float32 values [rows, columns] (for tests and checks)."""
        if self.bits == 4:
            codes = np.empty((*self.codes.shape[:2], BLOCK), dtype=np.uint8)
            codes[..., 0::2] = self.codes & 0x0F
            codes[..., 1::2] = self.codes >> 4
        else:
            codes = self.codes
        values = (codes.astype(np.float32) - 2 ** (self.bits - 1)) * self.scales[..., None]
        if self.offsets is not None:
            values += self.offsets[..., None]
        matrix: np.ndarray = values.reshape(self.rows, self.columns)
        return matrix


def stack_rows(matrices: list[QuantizedMatrix]) -> QuantizedMatrix:
    """Concatenate matrices of one kind along their rows (e.g. q, k and v into one projection)."""
    bits = {matrix.bits for matrix in matrices}
    if len(bits) != 1 or len({m.offsets is None for m in matrices}) != 1:
        raise ValueError("only matrices quantized the same way can be stacked")
    offsets = [m.offsets for m in matrices if m.offsets is not None]
    return QuantizedMatrix(
        np.concatenate([m.codes for m in matrices]),
        np.concatenate([m.scales for m in matrices]),
        np.concatenate(offsets) if offsets else None,
        bits.pop(),
    )


def q4_1_to_nbits(raw: np.ndarray) -> QuantizedMatrix:
    """Repack Q4_1 rows (uint8 [rows, blocks * 20]) as 4-bit `MatMulNBits` codes with block offsets.

    Q4_1 means value = code * d + m. The kernel's fast paths take integer zero points only, so
    the codes keep the default zero point 8: value = (code - 8) * d + (m + 8 d), exactly.
    """
    rows = raw.shape[0]
    blocks = raw.reshape(rows, -1, _Q4_1_BYTES)
    scale = blocks[..., 0:2].copy().view(np.float16)[..., 0].astype(np.float32)
    minimum = blocks[..., 2:4].copy().view(np.float16)[..., 0].astype(np.float32)
    packed = blocks[..., 4:]
    # GGUF keeps value j in the low nibble of byte j and value j + 16 in its high nibble;
    # MatMulNBits keeps value 2i in the low nibble of byte i and value 2i + 1 in its high nibble.
    codes = np.concatenate([packed & 0x0F, packed >> 4], axis=-1)
    repacked = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)
    return QuantizedMatrix(repacked, scale, minimum + 8 * scale, bits=4)


def q8_0_to_nbits(raw: np.ndarray) -> QuantizedMatrix:
    """Repack Q8_0 rows (uint8 [rows, blocks * 34]) as 8-bit codes around the default zero point 128."""
    rows = raw.shape[0]
    blocks = raw.reshape(rows, -1, _Q8_0_BYTES)
    scale = blocks[..., 0:2].copy().view(np.float16)[..., 0].astype(np.float32)
    signed = blocks[..., 2:].copy().view(np.int8).astype(np.int16)
    return QuantizedMatrix((signed + 128).astype(np.uint8), scale, None, bits=8)


def unpermute_rope_rows(matrix: QuantizedMatrix, heads: int) -> QuantizedMatrix:
    """Undo the row order llama.cpp gives q and k projections for its pairwise rotary embedding.

    GGUF interleaves each head's two halves (rows i and i + d/2 become 2i and 2i + 1); the
    attention kernel, like transformers, rotates the halves, so the rows go back to that order.
    """
    head_size = matrix.rows // heads
    order = np.arange(matrix.rows).reshape(heads, head_size // 2, 2).transpose(0, 2, 1).reshape(-1)
    return matrix.take_rows(order)


class GGUFFile:
    """A parsed GGUF file: metadata fields and tensors by name."""

    def __init__(self, path: Path) -> None:
        from gguf import GGUFReader

        self.path = path
        self._reader: Any = GGUFReader(str(path))  # Any: gguf ships no type hints
        self._tensors = {tensor.name: tensor for tensor in self._reader.tensors}

    def field(self, name: str) -> Any:
        """Return a metadata value: a str, a number, or a list of them."""
        field = self._reader.fields.get(name)
        if field is None:
            raise KeyError(f"{self.path.name} has no metadata field {name!r}")
        values = [self._decode(field.parts[index], field.types[-1]) for index in field.data]
        if len(field.types) > 1 and field.types[0].name == "ARRAY":
            return values
        return values[0]

    def has_field(self, name: str) -> bool:
        """Whether the metadata holds `name`."""
        return name in self._reader.fields

    @staticmethod
    def _decode(part: np.ndarray, kind: Any) -> Any:
        if kind.name == "STRING":
            return bytes(part).decode("utf-8")
        value = part.tolist()
        return value[0] if isinstance(value, list) and len(value) == 1 else value

    def shape(self) -> LlamaShape:
        """Read the llama hyper-parameters; refuse other architectures."""
        architecture = self.field("general.architecture")
        if architecture != "llama":
            raise ValueError(
                f"{self.path.name} is a {architecture!r} model; only llama models can be converted."
            )
        return LlamaShape(
            layers=int(self.field("llama.block_count")),
            hidden=int(self.field("llama.embedding_length")),
            intermediate=int(self.field("llama.feed_forward_length")),
            heads=int(self.field("llama.attention.head_count")),
            kv_heads=int(self.field("llama.attention.head_count_kv")),
            vocab=len(self.field("tokenizer.ggml.tokens")),
            context=int(self.field("llama.context_length")),
            rope_base=float(self.field("llama.rope.freq_base")),
            rms_epsilon=float(self.field("llama.attention.layer_norm_rms_epsilon")),
        )

    def vector(self, name: str) -> np.ndarray:
        """Return a float32 tensor (norm weights)."""
        tensor = self._tensors[name]
        if tensor.tensor_type.name != "F32":
            raise ValueError(f"{name} is {tensor.tensor_type.name}; a float32 vector was expected.")
        return np.asarray(tensor.data, dtype=np.float32)

    def has_tensor(self, name: str) -> bool:
        """Whether the file holds a tensor called `name`."""
        return name in self._tensors

    def matrix(self, name: str) -> QuantizedMatrix:
        """Return a Q4_1 or Q8_0 weight matrix in `MatMulNBits` layout."""
        tensor = self._tensors[name]
        kind = tensor.tensor_type.name
        if kind == "Q4_1":
            return q4_1_to_nbits(np.asarray(tensor.data))
        if kind == "Q8_0":
            return q8_0_to_nbits(np.asarray(tensor.data))
        raise ValueError(
            f"{name} is stored as {kind}; this converter reads Q4_1 and Q8_0 weights (the formats of the "
            "embedded SmolLM2 GGUF)."
        )


def open_gguf(path: Path) -> GGUFFile:
    """Parse the GGUF file at `path`."""
    return GGUFFile(path)
