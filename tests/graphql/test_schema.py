"""The committed ``schema.graphql`` is the schema the code builds, every type and field of it is described, and its
enums are the domain's."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)
from typer.testing import CliRunner

from retrace.api.graphql import enums
from retrace.api.graphql.schema import build_schema, schema_sdl
from retrace.app.ports import LineageDirection
from retrace.cli.main import app as cli
from retrace.domain.changes import Direction, LinkKind
from retrace.domain.events import EVENT_TYPES
from retrace.domain.model import Fate, ObjectKind, Role, Status, Stream

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"
BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def test_committed_schema_matches_the_code() -> None:
    assert COMMITTED.exists(), "schema.graphql is missing: run `trace export-graphql`"
    assert COMMITTED.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is out of date: run `trace export-graphql` and commit the result"
    )


def test_the_cli_writes_and_checks_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    written = runner.invoke(cli, ["export-graphql"])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "schema.graphql").read_text(encoding="utf-8") == schema_sdl()
    assert runner.invoke(cli, ["export-graphql", "--check"]).exit_code == 0
    (tmp_path / "schema.graphql").write_text("type Query { stale: String }\n", encoding="utf-8")
    stale = runner.invoke(cli, ["export-graphql", "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    assert runner.invoke(cli, ["export-graphql", "--output", "-"]).stdout == schema_sdl()


# A description teaches the model to a newcomer: a sentence in English (Chinese terms may follow in parentheses),
# not a one-word echo of the field's name.
MIN_ENGLISH_WORDS = 3
MIN_DESCRIPTION_CHARS = 20
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def thin(description: str | None) -> str | None:
    """Why a description does not teach anything, or None if it does."""
    if not description:
        return "missing"
    outside_chinese = _CJK.sub("", description)
    words = _ENGLISH_WORD.findall(outside_chinese)
    if len(words) < MIN_ENGLISH_WORDS:
        return f"{len(words)} English words: {description!r}"
    if len(outside_chinese.strip()) < MIN_DESCRIPTION_CHARS:
        return f"under {MIN_DESCRIPTION_CHARS} characters of English: {description!r}"
    return None


def described_elements() -> dict[str, str | None]:
    """Every type, field, argument, input field, enum value and custom scalar of the schema, with its description."""
    schema = build_schema(production=False)._schema
    out: dict[str, str | None] = {}
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        out[name] = kind.description
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                out[f"{name}.{field_name}"] = field.description
                out.update({f"{name}.{field_name}({a})": arg.description for a, arg in field.args.items()})
        elif isinstance(kind, GraphQLInputObjectType):
            out.update({f"{name}.{f}": field.description for f, field in kind.fields.items()})
        elif isinstance(kind, GraphQLEnumType):
            out.update({f"{name}.{v}": value.description for v, value in kind.values.items()})
    return out


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    elements = described_elements()
    assert {"DateTime", "Date", "Query.item(identifier)", "PartyInput.name_zh"} <= set(elements)
    problems = {name: why for name, description in elements.items() if (why := thin(description))}
    assert problems == {}, "\n".join(f"{name}: {why}" for name, why in sorted(problems.items()))


@pytest.mark.parametrize(
    ("description", "teaches"),
    [
        (None, False),
        ("Why.", False),
        ("loss / treated.", False),
        ("中文名称。", False),
        ("名称 Name.", False),
        ("The name in Chinese (中文名称), as registered.", True),
        ("Why the event is corrected, for the audit trail.", True),
    ],
)
def test_the_description_rule_refuses_thin_text(description: str | None, teaches: bool) -> None:
    assert (thin(description) is None) is teaches


@pytest.mark.parametrize(
    ("graphql_enum", "domain_enum"),
    [
        (enums.StreamKind, Stream),
        (enums.PartyRole, Role),
        (enums.ObjectStatus, Status),
        (enums.ObjectKindEnum, ObjectKind),
        (enums.FateKind, Fate),
        (enums.FlowDirection, Direction),
        (enums.LinkKindEnum, LinkKind),
        (enums.LineageWay, LineageDirection),
    ],
)
def test_graphql_enums_are_the_domain_enums(graphql_enum: type[Enum], domain_enum: type[Enum]) -> None:
    assert {m.name: m.value for m in graphql_enum} == {m.name: m.value for m in domain_enum}


def test_every_event_type_has_its_graphql_type() -> None:
    assert {str(m.value) for m in enums.EventKind} == set(EVENT_TYPES)
    sdl = schema_sdl()
    for kind in EVENT_TYPES:
        assert f"type {kind.title()}Event implements Event" in sdl
        assert f"input {kind.title()}Input" in sdl
