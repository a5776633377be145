"""The shape of `app`: its packages import one another without cycles.

Every module is collapsed to its top-level part of `app` (`app.slack.views.digest` is
`app.slack`, `app.cli` stays `app.cli`), and the graph of those parts must have no cycle:
a cycle means neither side can be understood, tested or replaced without the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import grimp
import pytest

# An import edge between two parts, with the module imports that make it.
Edges = Mapping[tuple[str, str], set[tuple[str, str]]]


def part_of(module: str) -> str:
    """The top-level part of `app` a module belongs to: `app.slack.ids` -> `app.slack`."""
    return ".".join(module.split(".")[:2])


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # Function-level and TYPE_CHECKING imports count too: they are dependencies all the same.
    return grimp.build_graph("app", include_external_packages=True, cache_dir=None)


def part_edges(graph: grimp.ImportGraph) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Imports between different parts of `app`, keyed by (importer part, imported part)."""
    edges: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for module in graph.modules:
        if not module.startswith("app"):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith("app"):
                continue
            importer_part, imported_part = part_of(module), part_of(imported)
            if importer_part != imported_part:
                edges[(importer_part, imported_part)].add((module, imported))
    return edges


def cycles(arrows: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), sorted."""
    following: dict[str, list[str]] = defaultdict(list)
    for source, target in arrows:
        following[source].append(target)
        following.setdefault(target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in following[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(following):
        if node not in index:
            visit(node)
    return sorted(found)


def describe(component: list[str], edges: Edges) -> str:
    """One cycle's arrows, each with the module imports behind it."""
    lines = ["cycle among " + ", ".join(component)]
    for (source, target), imports in sorted(edges.items()):
        if source in component and target in component:
            lines.append(f"  {source} -> {target}:")
            lines.extend(f"    {a} imports {b}" for a, b in sorted(imports))
    return "\n".join(lines)


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    # A check of the check: without this, an empty answer might just be a broken finder.
    arrows = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("f", "a")]
    assert cycles(arrows) == [["a", "b", "c"], ["d", "e"]]
    assert cycles([("a", "b"), ("b", "c"), ("a", "c")]) == []


def test_the_packages_of_app_import_one_another_without_cycles(graph: grimp.ImportGraph) -> None:
    edges = part_edges(graph)
    assert ("app.runtime", "app.slack") in edges  # the graph sees real imports
    found = cycles(edges)
    assert found == [], "import cycles between packages of app:\n" + "\n".join(
        describe(component, edges) for component in found
    )


@pytest.mark.parametrize("outside", ["slack_sdk", "slack_bolt", "app.slack"])
def test_the_clock_does_not_import_slack(graph: grimp.ImportGraph, outside: str) -> None:
    # The clock talks to an outbound-messaging interface; the Slack side implements it.
    clock = {"app.clock", *graph.find_descendants("app.clock")}
    reaching = sorted(
        (module, imported)
        for module in clock
        for imported in graph.find_modules_directly_imported_by(module)
        if imported == outside or imported.startswith(outside + ".")
    )
    assert reaching == []
