"""Saving files that visitors upload: allowed types only, safe names, a size cap, no way out.

Uploaded names are hostile: ``../../etc/passwd``, ``C:\\evil.bat``, control characters, a
thousand characters long. Each file is saved under the upload folder with a name built only from
safe characters, never over an existing file, in a sub-folder of its browser session.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "DEFAULT_ALLOWED_FILE_TYPES",
    "DEFAULT_MAX_FILE_SIZE",
    "FileTypeRejectedError",
    "UploadFolder",
    "UploadRejectedError",
    "safe_filename",
]

DEFAULT_ALLOWED_FILE_TYPES = (
    ".pdf", ".docx", ".txt", ".md", ".csv", ".json",
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".wav", ".mp3",
)  # fmt: skip
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024
_MAX_NAME_LENGTH = 100
# One underscore per unsafe character, as 1.26 names saved uploads (users match on those names).
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_CHUNK = 1024 * 1024


class UploadRejectedError(ValueError):
    """An uploaded file was refused; the message says why and what is accepted."""


class FileTypeRejectedError(UploadRejectedError):
    """An uploaded file was refused for its type (its extension is not an allowed one)."""


def safe_filename(name: str) -> str:
    """Return a file name made of letters, digits, ``.``, ``_`` and ``-`` only, from any upload name.

    Directory parts (``/`` or ``\\``) are dropped, leading dots removed (no hidden files, no
    ``..``), and the length capped, keeping the extension.
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base).lstrip("._-")
    stem, suffix = os.path.splitext(base)
    if len(suffix) > 16:  # not an extension, just a dot in a long name
        stem, suffix = base, ""
    stem = stem[: _MAX_NAME_LENGTH - len(suffix)] or "upload"
    return stem + suffix


class UploadFolder:
    """Where uploads of a GradioUI go, and what it accepts.

    Args:
        folder: The upload folder (created if missing).
        allowed_types: Accepted extensions, e.g. ``[".pdf", ".txt"]`` (case does not matter).
        max_bytes: Largest accepted file size.
    """

    def __init__(self, folder: str | Path, allowed_types: Iterable[str], max_bytes: int) -> None:
        self.folder = Path(folder).resolve()
        self.allowed_types = tuple(sorted({_extension(kind) for kind in allowed_types}))
        if not self.allowed_types:
            raise ValueError(
                "allowed_file_types is empty: list the extensions to accept, e.g. ['.pdf', '.txt']."
            )
        if max_bytes <= 0:
            raise ValueError(f"max_file_size must be a positive number of bytes, got {max_bytes}.")
        self.max_bytes = max_bytes
        self.folder.mkdir(parents=True, exist_ok=True)

    def check(self, name: str, size: int) -> str:
        """Return the safe name for an upload called `name` of `size` bytes; refuse it if not allowed."""
        safe = safe_filename(name)
        extension = os.path.splitext(safe)[1].lower()
        if extension not in self.allowed_types:
            raise FileTypeRejectedError(
                f"{os.path.basename(name)!r} was not accepted: allowed file types are "
                f"{', '.join(self.allowed_types)}."
            )
        if size > self.max_bytes:
            raise UploadRejectedError(
                f"{os.path.basename(name)!r} was not accepted: it has {size:,} bytes, more than the "
                f"limit of {self.max_bytes:,}."
            )
        return safe

    def save(self, source: str | Path, name: str | None = None, session: str | None = "shared") -> Path:
        """Copy the uploaded file `source` into the folder of `session`; return its new path.

        Args:
            source: Where the web framework stored the upload.
            name: The name the visitor's file had (default: the name of `source`).
            session: The browser session, so that visitors' files stay apart; None saves at the
                top of the upload folder (one user, as `GradioUI.upload_file` does).

        Raises:
            UploadRejectedError: The type is not allowed or the file is too big.
        """
        source = Path(source)
        safe = self.check(name or source.name, source.stat().st_size)
        directory = self.folder if session is None else self.folder / (safe_filename(session) or "shared")
        directory.mkdir(exist_ok=True)
        with source.open("rb") as reader:
            destination, writer = _create_new(directory, safe)
            with writer:
                copied = _copy_capped(reader, writer, self.max_bytes)
        if copied > self.max_bytes:  # the file grew after it was checked
            destination.unlink()
            raise UploadRejectedError(
                f"{safe!r} was not accepted: it is larger than {self.max_bytes:,} bytes."
            )
        if not destination.resolve().is_relative_to(self.folder):  # defence in depth: never outside
            destination.unlink()
            raise UploadRejectedError(
                f"{safe!r} was not accepted: it would be saved outside the upload folder."
            )
        return destination


def _extension(kind: str) -> str:
    kind = kind.strip().lower()
    return kind if kind.startswith(".") else f".{kind}"


def _create_new(directory: Path, name: str) -> tuple[Path, BinaryIO]:
    """Create `name` in `directory`, or `stem-2.ext`, `stem-3.ext`... if taken; never overwrite."""
    stem, suffix = os.path.splitext(name)
    for attempt in range(1, 10_000):
        candidate = directory / (name if attempt == 1 else f"{stem}-{attempt}{suffix}")
        try:
            return candidate, candidate.open("xb")
        except FileExistsError:
            continue
    raise UploadRejectedError(f"{name!r} was not accepted: too many files with that name were uploaded.")


def _copy_capped(reader: BinaryIO, writer: BinaryIO, max_bytes: int) -> int:
    copied = 0
    while chunk := reader.read(_CHUNK):
        copied += len(chunk)
        if copied > max_bytes:
            break
        writer.write(chunk)
    return copied
