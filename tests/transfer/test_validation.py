"""Every problem in a file, named by its path, in plain words."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from app.transfer.files import load_documents
from app.transfer.schema import ImportFileError
from tests.transfer.samples import SAMPLE, write


def test_documents_in_a_list_are_named_by_their_index(tmp_path: Path) -> None:
    listed = f"- {textwrap.indent(SAMPLE, '  ').strip()}\n- workspace: T0001\n  tema: Growth\n"

    with pytest.raises(ImportFileError) as caught:
        load_documents(write(tmp_path, "okrs.yaml", listed))

    assert caught.value.errors == [
        "[1].team: Required, but missing",
        "[1].tema: Unknown key; did you mean 'team'?",
    ]


def test_wrong_types_are_named_in_plain_words(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "okrs.json",
        json.dumps(
            {
                "workspace": "T0001",
                "team": 42,
                "admins": "U0ADMIN1",
                "objectives": [
                    "a string",
                    {"title": "Fine", "key_results": [{"title": "A", "target": True}, "B"]},
                ],
            }
        ),
    )

    with pytest.raises(ImportFileError) as caught:
        load_documents(path)

    assert caught.value.errors == [
        "team: Expected text, got a number (42); put it in quotes",
        "admins: Expected a list, got text ('U0ADMIN1')",
        "objectives[0]: Expected a mapping (key: value lines), got text ('a string')",
        "objectives[1].key_results[0].target: Expected a number, got true/false (true)",
        "objectives[1].key_results[1]: Expected a mapping (key: value lines), got text ('B')",
    ]


def test_duplicate_titles_are_refused(tmp_path: Path) -> None:
    text = SAMPLE + SAMPLE.split("objectives:\n", 1)[1].replace("effortless", " EFFORTLESS ")

    with pytest.raises(ImportFileError) as caught:
        load_documents(write(tmp_path, "okrs.yaml", text))

    assert caught.value.errors == [
        "objectives[1].title: Same title as objectives[0]; "
        "titles must differ within a team and cycle"
    ]
