"""Writing a GGUF's byte-level BPE tokenizer as Hugging Face `tokenizer.json` files.

onnxruntime-genai (and the `tokenizers` library) read `tokenizer.json`; the GGUF holds the same
vocabulary, merges and special tokens in its metadata, so the files are written from those
fields directly, with no transformers involved.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._gguf_weights import GGUFFile

__all__ = ["write_tokenizer_files"]

_CONTROL = 3  # llama.cpp's token type for special tokens
_USER_DEFINED = 4


def tokenizer_json(gguf: GGUFFile) -> dict[str, Any]:
    """Return the `tokenizer.json` document of a GGUF whose tokenizer model is ``gpt2`` (byte-level BPE)."""
    kind = gguf.field("tokenizer.ggml.model")
    if kind != "gpt2":
        raise ValueError(
            f"{gguf.path.name} has a {kind!r} tokenizer; only byte-level BPE ('gpt2') is supported."
        )
    tokens: list[str] = gguf.field("tokenizer.ggml.tokens")
    types: list[int] = gguf.field("tokenizer.ggml.token_type")
    merges: list[str] = gguf.field("tokenizer.ggml.merges")
    added = [
        {
            "id": index,
            "content": token,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": kind_of_token == _CONTROL,
        }
        for index, (token, kind_of_token) in enumerate(zip(tokens, types, strict=True))
        if kind_of_token in (_CONTROL, _USER_DEFINED)
    ]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": {token: index for index, token in enumerate(tokens)},
            "merges": [merge.split(" ", 1) for merge in merges],
        },
    }


def special_token_ids(gguf: GGUFFile) -> dict[str, int]:
    """Return the ids of the bos, eos, unknown and padding tokens the GGUF names."""
    ids = {}
    for role in ("bos", "eos", "unknown", "padding"):
        key = f"tokenizer.ggml.{role}_token_id"
        if gguf.has_field(key):
            ids[role] = int(gguf.field(key))
    return ids


def write_tokenizer_files(gguf: GGUFFile, directory: Path) -> dict[str, int]:
    """Write `tokenizer.json`, `tokenizer_config.json` and `chat_template.jinja`; return the special ids."""
    document = tokenizer_json(gguf)
    (directory / "tokenizer.json").write_text(json.dumps(document, ensure_ascii=False))
    tokens: list[str] = gguf.field("tokenizer.ggml.tokens")
    ids = special_token_ids(gguf)
    config: dict[str, Any] = {
        "tokenizer_class": "GPT2Tokenizer",
        "add_bos_token": False,
        "clean_up_tokenization_spaces": False,
    }
    names = {"bos": "bos_token", "eos": "eos_token", "unknown": "unk_token", "padding": "pad_token"}
    for role, token_id in ids.items():
        config[names[role]] = tokens[token_id]
    if gguf.has_field("tokenizer.chat_template"):
        template = gguf.field("tokenizer.chat_template")
        config["chat_template"] = template
        (directory / "chat_template.jinja").write_text(template)
    config["model_max_length"] = gguf.shape().context
    (directory / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
    return ids
