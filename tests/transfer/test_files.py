"""Reading import files as people write them, and writing exports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from app.transfer.files import dump_documents, load_documents
from app.transfer.schema import ImportFileError
from app.transfer.validation import validate_documents
from tests.transfer.samples import SAMPLE, write


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "okrs.yaml",
            "workspace: T0001\nteam: Growth\nobjectives:\n  - title: x\n   owner: U1\n",
            "line 5, column 4: YAML syntax error: while parsing a block collection: "
            "expected <block end>, but found '<block mapping start>'",
        ),
        (
            "okrs.yml",
            "workspace: T0001\nteam: [Growth\nadmins: []\n",
            "line 3, column 7: YAML syntax error: while parsing a flow sequence: "
            "expected ',' or ']', but got ':'",
        ),
        (
            "okrs.json",
            '{\n  "workspace": "T0001",\n  "team": "Growth",,\n}\n',
            "line 3, column 20: JSON syntax error: Expecting property name enclosed in "
            "double quotes",
        ),
        (
            "okrs.txt",
            "workspace: T0001\n\tteam: Growth\n",
            "line 2, column 1: YAML syntax error: while scanning for the next token: found "
            "character '\\t' that cannot start any token (YAML indents with spaces, not tabs)",
        ),
        (
            "okrs.yaml",
            "workspace: T0001\nteam: Growth\nteam: Platform\n",
            "line 3: The key 'team' appears twice in the same mapping",
        ),
        ("okrs.yaml", "  \n", "The file is empty"),
        ("okrs.yaml", "just text\n", "The file must hold one team"),
    ],
)
def test_unreadable_files_report_where(tmp_path: Path, name: str, text: str, expected: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        load_documents(write(tmp_path, name, text))

    (error,) = caught.value.errors
    assert error.startswith(expected), error


def test_a_missing_file_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as caught:
        load_documents(tmp_path / "nope.yaml")
    assert caught.value.errors == ["The file does not exist"]


def test_yaml_is_read_as_people_mean_it(tmp_path: Path) -> None:
    (document,) = load_documents(
        write(
            tmp_path,
            "okrs.yaml",
            "workspace: T0001\nteam: No\ncheckin: {day: FRI, time: 10:00}\n",
        )
    )
    assert document.team == "No"
    assert document.checkin is not None
    assert (document.checkin.day, document.checkin.time) == (4, dt.time(10, 0))
    assert document.objectives == []


def test_json_and_unknown_extensions_load(tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLE)
    as_json = load_documents(write(tmp_path, "okrs.json", json.dumps(data)))
    as_other = load_documents(write(tmp_path, "okrs.okr", SAMPLE))
    assert as_json == as_other == validate_documents(data)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        dump_documents([], "xml")  # type: ignore[arg-type]
