"""Token usage and timing records, shared by messages, memory and monitoring."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["Timing", "TokenUsage"]

Dict = dict  # the records' `dict()` methods shadow the builtin inside class bodies


@dataclass
class TokenUsage:
    """Tokens a model call read and wrote."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = field(init=False)

    def __post_init__(self) -> None:
        self.total_tokens = self.input_tokens + self.output_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens)

    def dict(self) -> Dict[str, int]:
        """Return the counts as a JSON-ready dict."""
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, int] | None) -> TokenUsage | None:
        """Rebuild a usage record saved with `dict()`; None stays None."""
        if data is None:
            return None
        return cls(int(data.get("input_tokens", 0)), int(data.get("output_tokens", 0)))


@dataclass
class Timing:
    """Start and end of a step or a run, in seconds since the epoch."""

    start_time: float
    end_time: float | None = None

    @classmethod
    def start_now(cls) -> Timing:
        """Return a timing that starts at the current time."""
        return cls(start_time=time.time())

    def stop(self) -> None:
        """Set the end time to the current time."""
        self.end_time = time.time()

    @property
    def duration(self) -> float | None:
        """Seconds between start and end, or None while running."""
        return None if self.end_time is None else self.end_time - self.start_time

    def dict(self) -> Dict[str, float | None]:
        """Return the timing as a JSON-ready dict."""
        return {"start_time": self.start_time, "end_time": self.end_time, "duration": self.duration}

    @classmethod
    def from_dict(cls, data: Dict[str, float | None] | None) -> Timing | None:
        """Rebuild a timing saved with `dict()`; None stays None."""
        if data is None:
            return None
        start = data.get("start_time")
        return cls(start_time=float(start or 0.0), end_time=data.get("end_time"))
