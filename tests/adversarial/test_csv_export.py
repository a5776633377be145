"""`okrbot export --format csv` opened in a spreadsheet: text that would run as a formula
is written inert, numbers stay numbers."""

from __future__ import annotations

import csv
import io

from app.transfer.files import dump_documents


def test_formula_like_text_is_neutralised_and_numbers_are_not() -> None:
    documents = [
        {
            "workspace": "T0001",
            "team": "+SUM(A1:A9)",
            "cycle": "2026-Q4",
            "objectives": [
                {
                    "title": '=HYPERLINK("http://evil.example","click")',
                    "owner": "U0OWNER1",
                    "key_results": [
                        {
                            "title": "@cmd|' /C calc'!A0",
                            "owner": "U0OWNER1",
                            "kind": "increase",
                            "start": 10.0,
                            "target": 20.0,
                            "current": 8.0,
                            "unit": "-1+1",
                        },
                        {"title": "\tTabbed", "kind": "milestone", "target": 1.0, "unit": "=1+1"},
                    ],
                }
            ],
        }
    ]
    rows = list(csv.DictReader(io.StringIO(dump_documents(documents, "csv"), newline="")))
    first, second = rows
    assert first["team"] == "'+SUM(A1:A9)"
    assert first["objective"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first["key_result"] == "'@cmd|' /C calc'!A0"
    assert first["unit"] == "'-1+1"
    assert first["progress"] == "-0.2"  # a number, negative: left as it is
    assert second["key_result"] == "'\tTabbed" and second["unit"].startswith("'")
