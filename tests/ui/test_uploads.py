"""Uploaded files: only allowed types, safe names under the upload folder, never too big."""

from __future__ import annotations

from pathlib import Path

import pytest

from smolagents._ui.uploads import UploadFolder, UploadRejectedError, safe_filename


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.txt", "evil.txt"),
        ("C:\\Users\\me\\notes.md", "notes.md"),
        (".bashrc.txt", "bashrc.txt"),
        ("..", "upload"),
        ("", "upload"),
        ("résumé final (2).pdf", "resume_final__2_.pdf"),
        ("a\x00b\nc.txt", "a_b_c.txt"),
        ("x" * 300 + ".csv", "x" * 96 + ".csv"),
    ],
)
def test_upload_names_are_reduced_to_safe_characters(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def make_file(directory: Path, name: str, size: int) -> Path:
    path = directory / name
    path.write_bytes(b"x" * size)
    return path


def test_a_file_lands_in_its_session_folder_under_a_safe_name(tmp_path: Path) -> None:
    folder = UploadFolder(tmp_path / "uploads", [".txt"], max_bytes=100)
    source = make_file(tmp_path, "source", 10)
    saved = folder.save(source, name="../../../outside.txt", session="abc123")
    assert saved == (tmp_path / "uploads" / "abc123" / "outside.txt").resolve()
    assert saved.read_bytes() == b"x" * 10
    assert not (tmp_path / "outside.txt").exists()


def test_a_second_file_of_the_same_name_never_overwrites_the_first(tmp_path: Path) -> None:
    folder = UploadFolder(tmp_path / "uploads", ["txt"], max_bytes=100)
    first = folder.save(make_file(tmp_path, "a.txt", 1), session="s")
    second = folder.save(make_file(tmp_path, "a.txt", 2), session="s")
    assert (first.name, second.name) == ("a.txt", "a-2.txt")
    assert first.read_bytes() == b"x"


def test_sessions_do_not_share_a_folder(tmp_path: Path) -> None:
    folder = UploadFolder(tmp_path / "uploads", [".txt"], max_bytes=100)
    source = make_file(tmp_path, "a.txt", 1)
    assert folder.save(source, session="alice").parent != folder.save(source, session="bob").parent
    assert folder.save(source, session="../../escape").is_relative_to(folder.folder)


def test_types_outside_the_allowed_list_are_refused(tmp_path: Path) -> None:
    folder = UploadFolder(tmp_path / "uploads", [".pdf", ".TXT"], max_bytes=100)
    with pytest.raises(
        UploadRejectedError, match=r"'run.sh' was not accepted: allowed file types are .pdf, .txt"
    ):
        folder.save(make_file(tmp_path, "run.sh", 1))
    assert folder.save(make_file(tmp_path, "LOUD.TXT", 1)).name == "LOUD.TXT"
    assert not any(folder.folder.rglob("run.sh"))


def test_files_over_the_size_cap_are_refused(tmp_path: Path) -> None:
    folder = UploadFolder(tmp_path / "uploads", [".txt"], max_bytes=100)
    with pytest.raises(UploadRejectedError, match="has 101 bytes, more than the limit of 100"):
        folder.save(make_file(tmp_path, "big.txt", 101))
    assert folder.save(make_file(tmp_path, "ok.txt", 100)).stat().st_size == 100
    assert not any(folder.folder.rglob("big.txt"))


def test_an_empty_type_list_or_a_zero_cap_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="allowed_file_types is empty"):
        UploadFolder(tmp_path, [], max_bytes=1)
    with pytest.raises(ValueError, match="max_file_size must be a positive number"):
        UploadFolder(tmp_path, [".txt"], max_bytes=0)
