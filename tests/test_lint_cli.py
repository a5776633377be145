"""`okrbot lint`: a stable contract for batch checks."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from app.cli import main

TASK = "Launch the new onboarding wizard"
OUTCOME = "Reduce p95 latency to under 200 ms"


def _records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_json_has_one_object_per_text_in_order(capsys) -> None:
    assert main(["lint", "--json", TASK, OUTCOME]) == 0
    records = _records(capsys.readouterr().out)
    assert [r["text"] for r in records] == [TASK, OUTCOME]
    assert all(r["kind"] == "kr" for r in records)
    task_codes = [f["code"] for f in records[0]["findings"]]
    assert "task_like" in task_codes
    assert records[1]["findings"] == []
    finding = records[0]["findings"][0]
    assert set(finding) == {"code", "severity", "message", "suggestion"}
    assert finding["severity"] in ("warning", "info")


def test_reads_one_text_per_line_from_stdin(monkeypatch, capsys) -> None:
    lines = [TASK, "", OUTCOME, "Publish 5 blog posts"]  # a blank line is an input too
    text = "\n".join(lines) + "\n"  # the final newline ends the last line
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["lint", "--json"]) == 0
    records = _records(capsys.readouterr().out)
    assert [r["text"] for r in records] == lines


def test_kind_objective_checks_objectives(capsys) -> None:
    assert main(["lint", "--json", "--kind", "objective", "Increase MAU by 15%"]) == 0
    (record,) = _records(capsys.readouterr().out)
    assert record["kind"] == "objective"
    assert [f["code"] for f in record["findings"]] == ["objective_is_metric"]


def test_plain_output_is_readable(capsys) -> None:
    assert main(["lint", TASK]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"⚠ {TASK}") and "→ " in out


def test_usage_errors_exit_non_zero(capsys) -> None:
    assert main(["lint", "--kind", "goal", "x"]) == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["", "   ", "🚀" * 50, "x" * 10_000])
def test_odd_inputs_never_fail(text: str, capsys) -> None:
    assert main(["lint", "--json", text]) == 0
    assert _records(capsys.readouterr().out)[0]["text"] == text


@pytest.mark.e2e
def test_the_installed_command_reads_stdin_and_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "lint", "--json"],
        input=f"{TASK}\n{OUTCOME}\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert [r["text"] for r in _records(result.stdout)] == [TASK, OUTCOME]
