"""Building the ONNX decoder of a llama-architecture GGUF for onnxruntime-genai.

The graph uses onnxruntime's fused CPU kernels: `MatMulNBits` for every projection (reading the
GGUF's own quantized blocks), `GroupQueryAttention` with the rotary embedding and the key/value
cache inside it, `SkipSimplifiedLayerNormalization` for residual + RMS norm, and
`GatherBlockQuantized` for the token embedding, which shares its 8-bit table with the output
projection. Inputs and outputs follow onnxruntime-genai's decoder naming, so `genai_config.json`
can describe them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ._gguf_tokenizer import write_tokenizer_files
from ._gguf_weights import (
    BLOCK,
    GGUFFile,
    LlamaShape,
    QuantizedMatrix,
    open_gguf,
    stack_rows,
    unpermute_rope_rows,
)

__all__ = ["export_model", "genai_config", "layer_count"]

_MS = "com.microsoft"
_WEIGHTS_FILE = "model.onnx.data"
# int8 activations in MatMulNBits: the fastest CPU path, accurate enough for 4-bit weights.
_ACCURACY_LEVEL = 4
# Initializers of at least this many bytes go to the weights file, each at a multiple of _ALIGNMENT.
_EXTERNAL_THRESHOLD = 1024
_ALIGNMENT = 4096


class _Graph:
    """Nodes and initializers of the graph being built, with unique names.

    Args:
        weights: An open file the large initializers are written to as they come (the graph
            then refers to them by offset), so the whole model is never held in memory at once;
            None keeps them in the graph.
    """

    def __init__(self, weights: BinaryIO | None = None) -> None:
        from onnx import external_data_helper, helper, numpy_helper

        self.helper: Any = helper  # Any: onnx's helpers are untyped
        self.numpy_helper: Any = numpy_helper
        self.external: Any = external_data_helper
        self.weights = weights
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._sums: dict[str, str] = {}

    def constant(self, name: str, value: np.ndarray) -> str:
        tensor = self.numpy_helper.from_array(value, name)
        if self.weights is not None and value.nbytes >= _EXTERNAL_THRESHOLD:
            # Page-aligned, so that onnxruntime may map each tensor from the file.
            end = self.weights.seek(0, os.SEEK_END)
            offset = end + (-end % _ALIGNMENT)
            self.weights.seek(offset)
            self.weights.write(tensor.raw_data)
            self.external.set_external_data(tensor, _WEIGHTS_FILE, offset, value.nbytes)
            tensor.ClearField("raw_data")
        self.initializers.append(tensor)
        return name

    def node(
        self,
        op: str,
        inputs: list[str],
        name: str,
        outputs: int | list[str] = 1,
        domain: str = "",
        **attrs: Any,
    ) -> list[str]:
        """Add a node; `outputs` is a count (names derived from `name`) or the output names."""
        names = outputs if isinstance(outputs, list) else [f"{name}/out{index}" for index in range(outputs)]
        self.nodes.append(self.helper.make_node(op, inputs, names, name=name, domain=domain, **attrs))
        return names

    def matmul(self, x: str, matrix: QuantizedMatrix, name: str, output: str | None = None) -> str:
        """Project `x` [batch, sequence, columns] with a quantized matrix; name the result `output`."""
        product = self.node(
            "MatMulNBits",
            [
                x,
                self.constant(f"{name}.codes", matrix.codes),
                self.constant(f"{name}.scales", matrix.scales.reshape(-1)),
            ],
            name,
            domain=_MS,
            K=matrix.columns,
            N=matrix.rows,
            bits=matrix.bits,
            block_size=BLOCK,
            accuracy_level=_ACCURACY_LEVEL,
            outputs=[output] if output and matrix.offsets is None else 1,
        )[0]
        if matrix.offsets is None:
            return product
        offsets = self.constant(f"{name}.offsets", np.ascontiguousarray(matrix.offsets.T))
        shifted = self.node("MatMul", [self._block_sums(x, matrix.columns), offsets], f"{name}/offset")[0]
        return self.node("Add", [product, shifted], f"{name}/with_offset", outputs=[output] if output else 1)[
            0
        ]

    def _block_sums(self, x: str, columns: int) -> str:
        """Sum `x` over each block of 32 features (once per input, shared by its projections)."""
        if x not in self._sums:
            shape = self.constant(
                f"{x}/blocks_shape", np.array([0, 0, columns // BLOCK, BLOCK], dtype=np.int64)
            )
            blocks = self.node("Reshape", [x, shape], f"{x}/blocks")[0]
            axis = self.constant(f"{x}/blocks_axis", np.array([-1], dtype=np.int64))
            self._sums[x] = self.node("ReduceSum", [blocks, axis], f"{x}/block_sums", keepdims=0)[0]
        return self._sums[x]


def _rotary_caches(shape: LlamaShape) -> tuple[np.ndarray, np.ndarray]:
    inverse = shape.rope_base ** (-np.arange(0, shape.head_size, 2, dtype=np.float64) / shape.head_size)
    angles = np.outer(np.arange(shape.context, dtype=np.float64), inverse)
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def _attention_lengths(graph: _Graph) -> tuple[str, str]:
    """Derive the per-sequence key lengths and the total length GroupQueryAttention needs from the mask."""
    one = graph.constant("const.one", np.array([1], dtype=np.int64))
    summed = graph.node("ReduceSum", ["attention_mask", one], "mask/sum", keepdims=0)[0]
    last = graph.node("Sub", [summed, one], "mask/last")[0]
    seqlens = graph.node("Cast", [last], "mask/seqlens", to=6)[0]  # int32
    width = graph.node("Shape", ["attention_mask"], "mask/shape", start=1, end=2)[0]
    total = graph.node("Squeeze", [width], "mask/total_len")[0]
    return seqlens, graph.node("Cast", [total], "mask/total", to=6)[0]


def _layer(
    graph: _Graph, gguf: GGUFFile, shape: LlamaShape, index: int, x: str, lengths: tuple[str, str]
) -> str:
    """Add one transformer block reading the normed input `x`; return the residual stream's norm input."""
    prefix = f"blk.{index}"
    qkv = stack_rows(
        [
            unpermute_rope_rows(gguf.matrix(f"{prefix}.attn_q.weight"), shape.heads),
            unpermute_rope_rows(gguf.matrix(f"{prefix}.attn_k.weight"), shape.kv_heads),
            gguf.matrix(f"{prefix}.attn_v.weight"),
        ]
    )
    projected = graph.matmul(x, qkv, f"{prefix}/qkv")
    attention = graph.node(
        "GroupQueryAttention",
        [
            projected,
            "",
            "",
            f"past_key_values.{index}.key",
            f"past_key_values.{index}.value",
            *lengths,
            "cos_cache",
            "sin_cache",
        ],
        f"{prefix}/attention",
        outputs=[f"{prefix}/attention/out0", f"present.{index}.key", f"present.{index}.value"],
        domain=_MS,
        num_heads=shape.heads,
        kv_num_heads=shape.kv_heads,
        scale=float(shape.head_size**-0.5),
        do_rotary=1,
        rotary_interleaved=0,
    )[0]
    return graph.matmul(attention, gguf.matrix(f"{prefix}.attn_output.weight"), f"{prefix}/attn_output")


def _mlp(graph: _Graph, gguf: GGUFFile, index: int, x: str) -> str:
    prefix = f"blk.{index}"
    gate = graph.matmul(x, gguf.matrix(f"{prefix}.ffn_gate.weight"), f"{prefix}/ffn_gate")
    up = graph.matmul(x, gguf.matrix(f"{prefix}.ffn_up.weight"), f"{prefix}/ffn_up")
    sigmoid = graph.node("Sigmoid", [gate], f"{prefix}/silu_sigmoid")[0]
    silu = graph.node("Mul", [gate, sigmoid], f"{prefix}/silu")[0]
    hidden = graph.node("Mul", [silu, up], f"{prefix}/ffn_gated")[0]
    return graph.matmul(hidden, gguf.matrix(f"{prefix}.ffn_down.weight"), f"{prefix}/ffn_down")


def _skip_norm(
    graph: _Graph, residual: str, update: str, weight: str, name: str, epsilon: float
) -> tuple[str, str]:
    """Add `update` to the residual stream and RMS-normalize; return (normed, new residual)."""
    outputs = graph.node(
        "SkipSimplifiedLayerNormalization",
        [residual, update, weight],
        name,
        outputs=4,
        domain=_MS,
        epsilon=epsilon,
    )
    return outputs[0], outputs[3]


def build_graph(gguf: GGUFFile, progress: Callable[[int], None], weights: BinaryIO | None = None) -> Any:
    """Return the ONNX model of the GGUF's decoder; `progress(n)` is called after each of its layers.

    With `weights` (a file opened for writing), the large initializers are written there as the
    graph is built and the graph refers to them (see `_Graph`).
    """
    shape = gguf.shape()
    graph = _Graph(weights)
    cos, sin = _rotary_caches(shape)
    graph.constant("cos_cache", cos)
    graph.constant("sin_cache", sin)
    embedding = gguf.matrix("token_embd.weight")
    table = graph.constant("token_embd.codes", embedding.codes.reshape(shape.vocab, shape.hidden))
    table_scales = graph.constant("token_embd.scales", embedding.scales)
    embedded = graph.node(
        "GatherBlockQuantized",
        [table, "input_ids", table_scales],
        "embed",
        domain=_MS,
        bits=embedding.bits,
        block_size=BLOCK,
        gather_axis=0,
        quantize_axis=1,
    )[0]
    lengths = _attention_lengths(graph)
    epsilon = shape.rms_epsilon
    normed = graph.node(
        "SimplifiedLayerNormalization",
        [embedded, graph.constant("blk.0.attn_norm.weight", gguf.vector("blk.0.attn_norm.weight"))],
        "blk.0/attn_norm",
        epsilon=epsilon,
        axis=-1,
        stash_type=1,
    )[0]
    residual = embedded
    for index in range(shape.layers):
        attended = _layer(graph, gguf, shape, index, normed, lengths)
        ffn_norm = graph.constant(f"blk.{index}.ffn_norm.weight", gguf.vector(f"blk.{index}.ffn_norm.weight"))
        normed, residual = _skip_norm(graph, residual, attended, ffn_norm, f"blk.{index}/ffn_norm", epsilon)
        mlp = _mlp(graph, gguf, index, normed)
        last = index == shape.layers - 1
        weight_name = "output_norm.weight" if last else f"blk.{index + 1}.attn_norm.weight"
        weight = graph.constant(weight_name, gguf.vector(weight_name))
        normed, residual = _skip_norm(graph, residual, mlp, weight, f"blk.{index}/out_norm", epsilon)
        progress(1)
    output = gguf.matrix("output.weight") if gguf.has_tensor("output.weight") else embedding
    # Logits of the last position only: onnxruntime-genai reads no others, and a prompt's worth
    # (sequence x vocabulary floats, ~100 MB for 500 tokens) would be allocated and copied per call.
    graph.matmul(_last_position(graph, normed), output, "lm_head", output="logits")
    return _model(graph, shape)


def _last_position(graph: _Graph, hidden: str) -> str:
    """Keep the last position of `hidden` [batch, sequence, features] (the only logits generation reads)."""
    starts = graph.constant("const.minus_one", np.array([-1], dtype=np.int64))
    ends = graph.constant("const.end", np.array([2**62], dtype=np.int64))
    axes = graph.constant("const.axis_one", np.array([1], dtype=np.int64))
    return graph.node("Slice", [hidden, starts, ends, axes], "last_position")[0]


def _model(graph: _Graph, shape: LlamaShape) -> Any:
    from onnx import TensorProto

    helper = graph.helper
    kv_shape = ["batch_size", shape.kv_heads, "past_sequence_length", shape.head_size]
    present_shape = ["batch_size", shape.kv_heads, "total_sequence_length", shape.head_size]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info(
            "attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]
        ),
    ]
    outputs = [
        # A fixed length of 1 tells onnxruntime-genai the model prunes logits to the last token.
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", 1, shape.vocab])
    ]
    for index in range(shape.layers):
        for kind in ("key", "value"):
            inputs.append(
                helper.make_tensor_value_info(f"past_key_values.{index}.{kind}", TensorProto.FLOAT, kv_shape)
            )
            outputs.append(
                helper.make_tensor_value_info(f"present.{index}.{kind}", TensorProto.FLOAT, present_shape)
            )
    body = helper.make_graph(graph.nodes, "decoder", inputs, outputs, graph.initializers)
    opsets = [helper.make_opsetid("", 21), helper.make_opsetid(_MS, 1)]
    return helper.make_model(body, opset_imports=opsets, producer_name="smolagents")


def export_decoder(gguf: GGUFFile, output: Path, progress: Callable[[int], None]) -> None:
    """Write `model.onnx` (graph) and `model.onnx.data` (weights) for the GGUF's decoder into `output`."""
    import onnx

    with (output / _WEIGHTS_FILE).open("wb") as weights:
        model = build_graph(gguf, progress, weights)
    onnx.save_model(model, str(output / "model.onnx"))


def genai_config(shape: LlamaShape, bos: int, eos: int, pad: int) -> dict[str, Any]:
    """Return the onnxruntime-genai configuration describing the exported decoder."""
    return {
        "model": {
            "type": "llama",
            "bos_token_id": bos,
            "eos_token_id": eos,
            "pad_token_id": pad,
            "context_length": shape.context,
            "vocab_size": shape.vocab,
            "decoder": {
                "filename": "model.onnx",
                "session_options": {"log_id": "smolagents", "provider_options": []},
                "head_size": shape.head_size,
                "hidden_size": shape.hidden,
                "num_attention_heads": shape.heads,
                "num_key_value_heads": shape.kv_heads,
                "num_hidden_layers": shape.layers,
                "inputs": {
                    "input_ids": "input_ids",
                    "attention_mask": "attention_mask",
                    "past_key_names": "past_key_values.%d.key",
                    "past_value_names": "past_key_values.%d.value",
                },
                "outputs": {
                    "logits": "logits",
                    "present_key_names": "present.%d.key",
                    "present_value_names": "present.%d.value",
                },
            },
        },
        "search": {
            "do_sample": False,
            "max_length": shape.context,
            "min_length": 0,
            "num_beams": 1,
            "num_return_sequences": 1,
            "past_present_share_buffer": True,
            "repetition_penalty": 1.0,
            "temperature": 1.0,
            "top_k": 50,
            "top_p": 1.0,
        },
    }


def layer_count(gguf_path: Path) -> int:
    """Return how many transformer blocks the GGUF holds (the steps `export_model` reports)."""
    return open_gguf(gguf_path).shape().layers


def export_model(gguf_path: Path, output: Path, progress: Callable[[int], None]) -> None:
    """Write an onnxruntime-genai model folder for the GGUF at `gguf_path` into `output`.

    The folder holds `model.onnx` (+ `model.onnx.data`), `genai_config.json`, the tokenizer
    files and the chat template. `progress(1)` is called after each transformer block.
    """
    gguf = open_gguf(gguf_path)
    ids = write_tokenizer_files(gguf, output)
    export_decoder(gguf, output, progress)
    config = genai_config(gguf.shape(), bos=ids["bos"], eos=ids["eos"], pad=ids.get("padding", ids["eos"]))
    (output / "genai_config.json").write_text(json.dumps(config, indent=2))
