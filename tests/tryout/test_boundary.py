"""Production code never imports the try-out package (stand-in, sandbox, demo)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# The CLI starts the sandbox and the demo, lazily, inside those commands only.
ALLOWED = {APP / "cli.py"}


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_nothing_outside_app_tryout_imports_it() -> None:
    offenders = {
        str(path.relative_to(APP.parent)): sorted(
            m for m in _imported_modules(path) if m == "app.tryout" or m.startswith("app.tryout.")
        )
        for path in APP.rglob("*.py")
        if (APP / "tryout") not in path.parents and path not in ALLOWED
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}


def test_the_scan_sees_imports_of_app_tryout() -> None:
    # Guards the test above against passing because it found nothing at all.
    assert "app.tryout.demo" in _imported_modules(APP / "cli.py")
