"""`PipelineTool`: a tool that runs a transformers model (pre-process, model, post-process).

transformers, torch and accelerate are imported only when such a tool is built or run.
"""

from __future__ import annotations

import importlib.util
from typing import Any, ClassVar

from ..agent_types import handle_agent_input_types, handle_agent_output_types
from .base import Tool

__all__ = ["PipelineTool"]


class PipelineTool(Tool):
    """A tool around a transformers model, as in smolagents 1.26.

    Subclasses set, besides the `Tool` attributes, `model_class` (e.g.
    ``AutoModelForSequenceClassification``), `default_checkpoint`, and optionally
    `pre_processor_class` / `post_processor_class` (default ``AutoProcessor``), and override
    `encode` (raw inputs -> model inputs) and `decode` (model outputs -> the tool's output).
    The model loads at the first call (`setup`), on the accelerator when there is one.

    Args:
        model: A checkpoint name or path, or a loaded model (default: `default_checkpoint`).
        pre_processor: A checkpoint or a loaded processor/tokenizer (default: `model`).
        post_processor: A checkpoint or a loaded processor (default: the pre-processor).
        device: Where to run the model (default: the accelerator, else the CPU).
        device_map: Passed to ``from_pretrained``; the model is then not moved.
        model_kwargs: More keyword arguments for the model's ``from_pretrained``.
        token: A Hugging Face token for gated or private checkpoints.
        **hub_kwargs: More keyword arguments for every ``from_pretrained`` (``revision``...).
    """

    pre_processor_class: ClassVar[Any] = None
    model_class: ClassVar[Any] = None
    post_processor_class: ClassVar[Any] = None
    default_checkpoint: ClassVar[str | None] = None
    name = "pipeline"
    description = "This is a pipeline tool"
    inputs = {"prompt": {"type": "string", "description": "The input of the model."}}
    output_type = "string"
    skip_forward_signature_validation = True

    def __init__(
        self,
        model: Any = None,
        pre_processor: Any = None,
        post_processor: Any = None,
        device: Any = None,
        device_map: Any = None,
        model_kwargs: dict[str, Any] | None = None,
        token: str | None = None,
        **hub_kwargs: Any,
    ) -> None:
        if not all(importlib.util.find_spec(name) for name in ("torch", "accelerate", "transformers")):
            raise ModuleNotFoundError(
                "Please install 'transformers' extra to use a PipelineTool: `pip install 'smolagents[transformers]'`"
            )
        if model is None:
            if self.default_checkpoint is None:
                raise ValueError(
                    f"{type(self).__name__} does not implement a default checkpoint, you need to pass one: "
                    "model='<checkpoint name or path>'."
                )
            model = self.default_checkpoint
        self.model = model
        self.pre_processor = model if pre_processor is None else pre_processor
        self.post_processor = post_processor
        self.device = device
        self.device_map = device_map
        self.model_kwargs = dict(model_kwargs or {})
        if device_map is not None:
            self.model_kwargs["device_map"] = device_map
        self.hub_kwargs = {**hub_kwargs, "token": token}
        super().__init__()

    def setup(self) -> None:
        """Load the pre-processor, the model and the post-processor given by name, and place the model."""
        if isinstance(self.pre_processor, str):
            self.pre_processor = _processor_class(self.pre_processor_class).from_pretrained(
                self.pre_processor, **self.hub_kwargs
            )
        if isinstance(self.model, str):
            if self.model_class is None:
                raise ValueError(
                    f"{type(self).__name__} must set model_class to load the checkpoint {self.model!r}."
                )
            self.model = self.model_class.from_pretrained(self.model, **self.model_kwargs, **self.hub_kwargs)
        if self.post_processor is None:
            self.post_processor = self.pre_processor
        elif isinstance(self.post_processor, str):
            self.post_processor = _processor_class(self.post_processor_class).from_pretrained(
                self.post_processor, **self.hub_kwargs
            )
        if self.device is None:
            if self.device_map is not None:
                self.device = next(iter(self.model.hf_device_map.values()))
            else:
                from accelerate import PartialState

                self.device = PartialState().default_device
        if self.device_map is None:
            self.model.to(self.device)
        self.is_initialized = True

    def encode(self, raw_inputs: Any) -> Any:
        """Turn the tool's inputs into the model's inputs (default: the pre-processor applied to them)."""
        return self.pre_processor(raw_inputs)

    def forward(self, inputs: Any) -> Any:
        """Run the model on its inputs, without gradients."""
        import torch

        with torch.no_grad():
            return self.model(**inputs)

    def decode(self, outputs: Any) -> Any:
        """Turn the model's outputs into the tool's output (default: the post-processor applied to them)."""
        return self.post_processor(outputs)

    def __call__(self, *args: Any, sanitize_inputs_outputs: bool = False, **kwargs: Any) -> Any:
        """Encode the inputs, run the model on its device, bring the outputs back to the CPU and decode them."""
        import torch
        from accelerate.utils import send_to_device

        if not self.is_initialized:
            self.setup()
        if sanitize_inputs_outputs:
            args, kwargs = handle_agent_input_types(*args, **kwargs)
        encoded = self.encode(*args, **kwargs)
        tensors = {key: value for key, value in encoded.items() if isinstance(value, torch.Tensor)}
        others = {key: value for key, value in encoded.items() if not isinstance(value, torch.Tensor)}
        outputs = send_to_device(self.forward({**send_to_device(tensors, self.device), **others}), "cpu")
        decoded = self.decode(outputs)
        return handle_agent_output_types(decoded, self.output_type) if sanitize_inputs_outputs else decoded


def _processor_class(configured: Any) -> Any:
    if configured is not None:
        return configured
    from transformers import AutoProcessor

    return AutoProcessor
