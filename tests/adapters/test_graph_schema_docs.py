"""``graph_schema/README.md`` describes the graph the Neo4j store writes: its diagram and its tables name every label
and relationship type of ``retrace.adapters.neo4j.queries``."""

from __future__ import annotations

import re
from pathlib import Path

from retrace.adapters.neo4j.queries import Label, Rel

README = Path(__file__).resolve().parents[2] / "graph_schema" / "README.md"


def _diagram() -> str:
    found = re.search(r"```mermaid\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert found, "graph_schema/README.md has no mermaid diagram"
    return found.group(1)


def _table(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_diagram_draws_every_label_and_relationship_type() -> None:
    diagram = _diagram()
    drawn = set(re.findall(r":(\w+)(?=[:<])", diagram))  # the labels of "<b>:Object:Item</b>" …
    assert {label.value for label in Label} - drawn == set()
    assert {rel.value for rel in Rel if rel.value not in diagram} == set()


def test_the_tables_list_every_label_and_relationship_type() -> None:
    nodes, relationships = _table("Nodes"), _table("Relationships")
    assert {label.value for label in Label if f"`{label.value}`" not in nodes} == set()
    assert {rel.value for rel in Rel if f"`{rel.value}`" not in relationships} == set()
