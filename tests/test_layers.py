"""The layers of `app`, as `pyproject.toml`'s import-linter contracts state them.

Slack stays at the edge, use cases write no SQL, production never imports the local
tooling, and each layer imports only the ones below it. `lint-imports` checks the real
tree; a copy with one planted leak shows the check can fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on `tree` (holding `app/` and `pyproject.toml`), without a cache."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _tree_with(tmp_path: Path, module: str, line: str) -> Path:
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}\n")
    return tmp_path


def test_a_use_case_importing_slack_breaks_the_build(tmp_path: Path) -> None:
    tree = _tree_with(tmp_path, "app/usecases/okrs.py", "import slack_sdk  # a leak")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "app.usecases is not allowed to import slack_sdk" in result.stdout


def test_sql_in_a_use_case_breaks_the_build(tmp_path: Path) -> None:
    tree = _tree_with(tmp_path, "app/usecases/teams.py", "from sqlmodel import select  # a leak")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "app.usecases is not allowed to import sqlmodel" in result.stdout


def test_the_store_importing_a_use_case_breaks_the_build(tmp_path: Path) -> None:
    tree = _tree_with(tmp_path, "app/store/okrs.py", "import app.usecases.okrs  # upward")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "app.store is not allowed to import app.usecases" in result.stdout
