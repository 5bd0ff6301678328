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
        match = _earliest_match(buffer, self.stop_sequences)
        partial = self._earliest_partial(buffer)
        # A stop sequence found now still loses to a longer one that began earlier and may
        # complete with the next chunk: decide only when no such partial match is pending.
        if match is not None and (partial is None or match <= partial):
            self.is_stopped = True
            self._pending = ""
            return buffer[:match]
        cut = len(buffer) if partial is None else partial
        self._pending = buffer[cut:]
        return buffer[:cut]

    def flush(self) -> str:
        """Return the text still held back, cut at a stop sequence it holds (the stream ended)."""
        pending, self._pending = self._pending, ""
        return "" if self.is_stopped else cut_at_stop_sequences(pending, self.stop_sequences)

    def _earliest_partial(self, buffer: str) -> int | None:
        # The earliest position from which the rest of the buffer is a proper prefix of a stop.
        longest = max((len(stop) for stop in self.stop_sequences), default=0)
        for start in range(max(0, len(buffer) - longest + 1), len(buffer)):
            tail = buffer[start:]
            if any(len(stop) > len(tail) and stop.startswith(tail) for stop in self.stop_sequences):
                return start
        return None


def _earliest_match(text: str, stop_sequences: list[str]) -> int | None:
    positions = [index for index in (text.find(stop) for stop in stop_sequences) if index != -1]
    return min(positions) if positions else None
