"""Tools defined in a file, so that cloud executors can ship their source into a sandbox."""

from __future__ import annotations

from smolagents import Tool


class CounterTool(Tool):
    name = "counter"
    description = "Counts its calls; returns 100 times the number of calls so far plus `step`."
    inputs = {"step": {"type": "integer", "description": "A number added to the result."}}
    output_type = "integer"

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, step: int) -> int:
        self.calls += 1
        return self.calls * 100 + step


class FailingTool(Tool):
    name = "failing"
    description = "Always fails with a ValueError naming its input."
    inputs = {"what": {"type": "string", "description": "Put in the error message."}}
    output_type = "string"

    def forward(self, what: str) -> str:
        raise ValueError(f"failing tool refused {what}")
