"""The dependency rule of DESIGN.md, checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_imports_point_down_and_the_interpreter_uses_only_the_standard_library() -> None:
    command = shutil.which("lint-imports") or os.path.join(os.path.dirname(sys.executable), "lint-imports")
    if not os.path.exists(command):
        pytest.fail("import-linter is not installed: install the test extra (pip install -e '.[test]').")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([command], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout


def test_the_package_type_checks() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_run_machinery_uses_only_the_public_members_of_an_agent() -> None:
    """No module of smolagents._agent reads or writes a private member of an agent object."""
    import ast

    offenders = []
    for path in sorted((ROOT / "src" / "smolagents" / "_agent").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                continue
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "agent" or name.endswith("_agent"):
                offenders.append(f"{path.name}:{node.lineno}: {name}.{node.attr}")
    assert offenders == []
