"""The committed ``schema.graphql`` is the schema the code builds, every type and field of it is described, and its
enums are the domain's."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
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


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    schema = build_schema(production=False)._schema
    missing: list[str] = []
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({a})" for a, arg in field.args.items() if not arg.description
                ]
        elif isinstance(kind, GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, field in kind.fields.items() if not field.description]
        elif isinstance(kind, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in kind.values.items() if not value.description]
        elif isinstance(kind, GraphQLScalarType):
            pass  # DateTime and Date are strawberry's, described there
    assert missing == []


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
