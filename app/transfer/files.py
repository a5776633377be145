"""Reading import files (YAML or JSON) and writing exports (JSON, YAML or CSV)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml

from app.domain.progress import progress_of
from app.domain.types import KRKind
from app.transfer.schema import ImportFileError, TeamDocument, plain_number
from app.transfer.validation import validate_documents

CSV_COLUMNS = (
    "workspace",
    "team",
    "cycle",
    "objective",
    "objective_owner",
    "key_result",
    "owner",
    "kind",
    "start",
    "target",
    "current",
    "unit",
    "progress",
)


class _YamlLoader(yaml.SafeLoader):
    """YAML as people mean it: YAML 1.2 booleans and integers, no duplicate keys.

    PyYAML follows YAML 1.1, where `10:00` is the number 600 and `no` is false; a check-in
    time or a team called "No" would be misread. Duplicate keys are recorded rather than
    silently letting the last one win.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Runs before SafeConstructor flattens `<<` merges, whose overrides are intended.
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                self.duplicates.append(
                    f"line {key_node.start_mark.line + 1}: The key {key_node.value!r} appears "
                    "twice in the same mapping"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_YamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)


def _parse_yaml(text: str) -> Any:
    loader = _YamlLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as bad:
        mark = bad.problem_mark or bad.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = ": ".join(part for part in (bad.context, bad.problem) if part) or "unreadable"
        if "'\\t'" in reason:
            reason += " (YAML indents with spaces, not tabs)"
        raise ImportFileError([f"{where}YAML syntax error: {reason}"]) from None
    except yaml.YAMLError as bad:
        raise ImportFileError([f"YAML syntax error: {str(bad).splitlines()[0]}"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ImportFileError(loader.duplicates)
    return data


def _parse_json(text: str) -> Any:
    duplicates: list[str] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in pairs:
            if key in mapping:
                duplicates.append(f"The key {key!r} appears twice in the same mapping")
            mapping[key] = value
        return mapping

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as bad:
        raise ImportFileError(
            [f"line {bad.lineno}, column {bad.colno}: JSON syntax error: {bad.msg}"]
        ) from None
    except RecursionError:
        raise ImportFileError(["JSON syntax error: nested too deeply"]) from None
    if duplicates:
        raise ImportFileError(duplicates)
    return data


def _read_data(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate the BOM some editors write
    except FileNotFoundError:
        raise ImportFileError(["The file does not exist"]) from None
    except IsADirectoryError:
        raise ImportFileError(["This is a directory, not a file"]) from None
    except UnicodeDecodeError as bad:
        raise ImportFileError([f"byte {bad.start}: The file is not UTF-8 text"]) from None
    except OSError as bad:
        raise ImportFileError([f"Cannot read the file: {bad.strerror or bad}"]) from None
    if not text.strip():
        raise ImportFileError(["The file is empty"])
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return _parse_yaml(text)
    if suffix == ".json":
        return _parse_json(text)
    try:
        return _parse_json(text)
    except ImportFileError:
        # Most JSON is YAML too, so YAML's complaint is the one worth showing.
        return _parse_yaml(text)


def load_documents(path: Path) -> list[TeamDocument]:
    """Read and validate a YAML (.yml/.yaml) or JSON (.json) file of team documents.

    Other extensions are tried as JSON, then as YAML. Raises ImportFileError listing every
    problem found (see the module docstring for the format).
    """
    return validate_documents(_read_data(Path(path)))


def dump_documents(documents: list[dict[str, Any]], fmt: Literal["json", "yaml", "csv"]) -> str:
    """Documents as text: JSON or YAML (a list of documents), or CSV (one row per key result).

    CSV columns are CSV_COLUMNS; `progress` is a fraction (1.0 is 100%) rounded to 3
    places, empty when nothing was reported.
    """
    if fmt == "json":
        return json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(
            documents, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
        )
    if fmt == "csv":
        return _dump_csv(documents)
    raise ValueError(f"unknown format {fmt!r}; use json, yaml or csv")


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell: numbers as they are; text that a spreadsheet would run as a formula
    (`=HYPERLINK(…)` typed as a title) prefixed with a single quote, as OWASP recommends."""
    if value is None:
        return ""
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _dump_csv(documents: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for document in documents:
        for objective in document.get("objectives", []):
            for kr in objective.get("key_results", []):
                kind = KRKind(kr.get("kind", KRKind.increase))
                start, target, current = kr.get("start"), kr.get("target"), kr.get("current")
                progress = None
                if target is not None or kind == KRKind.milestone:
                    progress = progress_of(
                        kind,
                        start=None if start is None else float(start),
                        target=float(target or 0.0),
                        current=None if current is None else float(current),
                    )
                row = (
                    document.get("workspace"),
                    document.get("team"),
                    document.get("cycle"),
                    objective.get("title"),
                    objective.get("owner"),
                    kr.get("title"),
                    kr.get("owner"),
                    kind.value,
                    start,
                    target,
                    current,
                    kr.get("unit"),
                    None if progress is None else round(progress, 3),
                )
                writer.writerow([_cell(value) for value in row])
    return out.getvalue()
