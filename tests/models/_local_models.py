"""Shared pieces of the local-model tests: a small in-memory tokenizer and the embedded cache.

The tokenizer is a real transformers tokenizer (a word-level vocabulary built in memory) with a
chat template of our choice, so prompt rendering runs the same code as with a downloaded model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# SmolLM2's own template: plain string concatenation, so list content crashes it and tools are
# ignored.
TEXT_ONLY_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# A Qwen-like template that takes list content and shows the tools in the system turn.
TOOLS_TEMPLATE = (
    "{% if tools %}<|im_start|>system\nTools:\n{% for tool in tools %}{{ tool | tojson }}\n{% endfor %}"
    "<|im_end|>\n{% endif %}"
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{{ part['text'] }}{% endfor %}{% endif %}"
    "<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def make_chat_tokenizer(chat_template: str) -> Any:
    """Build a real `PreTrainedTokenizerFast` over a tiny word-level vocabulary."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<unk>", "<|im_start|>", "<|im_end|>", "hello", "world", "user", "assistant", "system"]
    backend = Tokenizer(
        models.WordLevel({word: index for index, word in enumerate(words)}, unk_token="<unk>")
    )
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="<unk>", bos_token="<|im_start|>", eos_token="<|im_end|>"
    )
    tokenizer.chat_template = chat_template
    return tokenizer


def write_fake_conversion(directory: Path) -> None:
    """Write the files a finished conversion holds (contents do not matter to the cache logic)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (directory / name).write_text(json.dumps({"written_by": str(directory.name)}))
    (directory / "model.safetensors").write_bytes(b"\0" * 16)


def session_cache_root(tmp_path_factory: Any) -> Path:
    """Return the cache directory the real-model tests of this session share (one conversion)."""
    return Path(tmp_path_factory.getbasetemp()) / "smolagents-cache"


def first_action_step(agent: Any, task: str) -> Any:
    """Run `agent` on `task` until its first action step ends; return that step.

    One model call per task: the run stops there, before the step limit's summary call.
    """
    from smolagents.memory import ActionStep

    events = agent.run(task, stream=True)
    try:
        return next(event for event in events if isinstance(event, ActionStep))
    finally:
        events.close()
