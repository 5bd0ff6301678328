"""Client-side stop sequences, for providers or models that do not accept a `stop` parameter."""

from __future__ import annotations

__all__ = ["StopSequenceCutter", "cut_at_stop_sequences"]


def cut_at_stop_sequences(text: str, stop_sequences: list[str]) -> str:
    """Return `text` up to (not including) the earliest stop sequence it contains."""
    positions = [index for index in (text.find(stop) for stop in stop_sequences if stop) if index != -1]
    return text[: min(positions)] if positions else text


class StopSequenceCutter:
    """Cut streamed text at the first stop sequence, even when one is split across chunks.

    `feed` returns the text that is safe to show now: it holds back a tail that could still be
    the start of a stop sequence until the next chunk settles it. Call `flush` at the end.
    """

    def __init__(self, stop_sequences: list[str]) -> None:
        self.stop_sequences = [stop for stop in stop_sequences if stop]
        self.is_stopped = False
        self._pending = ""

    def feed(self, text: str) -> str:
        """Take the next chunk; return what can be emitted."""
        if self.is_stopped:
            return ""
        buffer = self._pending + text
        cut = cut_at_stop_sequences(buffer, self.stop_sequences)
        if len(cut) < len(buffer):
            self.is_stopped = True
            self._pending = ""
            return cut
        held = self._held_length(buffer)
        self._pending = buffer[len(buffer) - held :]
        return buffer[: len(buffer) - held]

    def flush(self) -> str:
        """Return the text still held back (the stream ended without a stop sequence)."""
        pending, self._pending = self._pending, ""
        return "" if self.is_stopped else pending

    def _held_length(self, buffer: str) -> int:
        # The longest suffix of the buffer that is a proper prefix of some stop sequence.
        longest = 0
        for stop in self.stop_sequences:
            for size in range(min(len(stop) - 1, len(buffer)), longest, -1):
                if buffer.endswith(stop[:size]):
                    longest = size
                    break
        return longest
