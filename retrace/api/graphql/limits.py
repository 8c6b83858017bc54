"""Limits on what one GraphQL document may ask, checked before anything runs.

Parsing is bounded by the length of the text, the number of tokens and comments, and the nesting the parser can
follow.  Then, before the standard validation rules (some of which are costly on hostile documents), one walk over
the document measures every operation as it would run, with fragments expanded: its depth, its aliases and its
selected fields.  The walk visits each fragment once (results are remembered), so a "fragment bomb" whose expansion
is exponential costs linear time to measure and is refused; a fragment cycle is left to the standard rule that
reports it.  Over a limit, the request fails at once with QUERY_TOO_COMPLEX, saying which limit and by how much.
Page sizes, batch sizes and lineage depth are limited where they are read (VALIDATION_ERROR).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from retrace.domain import errors as codes

MAX_SOURCE_LENGTH = 100_000  # characters of query text (inputs belong in variables)
MAX_TOKENS = 10_000
MAX_COMMENTS = 1_000
MAX_DEPTH = 15  # item → lineage → tree → children … nests deep; the introspection query needs 13
MAX_ALIASES = 50
MAX_FIELDS = 2_000  # fields selected, fragments expanded


@dataclass(frozen=True)
class Measure:
    depth: int = 0
    aliases: int = 0
    fields: int = 0

    def plus(self, other: Measure) -> Measure:
        return Measure(max(self.depth, other.depth), self.aliases + other.aliases, self.fields + other.fields)


class _Walker:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.known: dict[str, Measure] = {}
        self.in_progress: set[str] = set()

    def selection_set(self, node: SelectionSetNode | None) -> Measure:
        total = Measure()
        for selection in node.selections if node else ():
            if isinstance(selection, FieldNode):
                below = self.selection_set(selection.selection_set)
                here = Measure(
                    depth=1 + below.depth if selection.selection_set else 1,
                    aliases=below.aliases + (1 if selection.alias else 0),
                    fields=below.fields + 1,
                )
            elif isinstance(selection, InlineFragmentNode):
                here = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                here = self.fragment(selection.name.value)
            else:  # pragma: no cover - the three kinds of selection are all there is
                continue
            total = total.plus(here)
        return total

    def fragment(self, name: str) -> Measure:
        if name in self.known:
            return self.known[name]
        definition = self.fragments.get(name)
        if (
            definition is None or name in self.in_progress
        ):  # unknown or a cycle: reported by the standard rules
            return Measure()
        self.in_progress.add(name)
        measure = self.selection_set(definition.selection_set)
        self.in_progress.discard(name)
        self.known[name] = measure
        return measure


def measure(document: DocumentNode) -> Measure:
    """Depth, aliases and fields of the document's operations as they would run (summed over operations, since all
    of them are validated)."""
    walker = _Walker(document)
    total = Measure()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            total = total.plus(walker.selection_set(definition.selection_set))
    return total


def too_complex(message: str, message_zh: str, limit: str, value: int, maximum: int) -> GraphQLError:
    return GraphQLError(
        message,
        extensions={
            "code": codes.QUERY_TOO_COMPLEX,
            "message": message,
            "message_zh": message_zh,
            "field": None,
            "details": {"limit": limit, "value": value, "max": maximum},
        },
    )


def check(document: DocumentNode) -> GraphQLError | None:
    found = measure(document)
    if found.depth > MAX_DEPTH:
        return too_complex(
            f"the query is nested {found.depth} levels deep; at most {MAX_DEPTH} are allowed",
            f"查询嵌套 {found.depth} 层，最多允许 {MAX_DEPTH} 层",
            "depth",
            found.depth,
            MAX_DEPTH,
        )
    if found.aliases > MAX_ALIASES:
        return too_complex(
            f"the query uses {found.aliases} aliases (fragments expanded); at most {MAX_ALIASES} are allowed",
            f"查询使用了 {found.aliases} 个别名，最多允许 {MAX_ALIASES} 个",
            "aliases",
            found.aliases,
            MAX_ALIASES,
        )
    if found.fields > MAX_FIELDS:
        return too_complex(
            f"the query selects {found.fields} fields (fragments expanded); at most {MAX_FIELDS} are allowed",
            f"查询选择了 {found.fields} 个字段，最多允许 {MAX_FIELDS} 个",
            "fields",
            found.fields,
            MAX_FIELDS,
        )
    return None


class QueryLimits(SchemaExtension):
    """Bounds parsing, then refuses a document over the limits before the standard validation runs."""

    def on_operation(self) -> Iterator[None]:
        # graphql-core's parse() takes these too; strawberry's ParseOptions type names only max_tokens.
        options = cast("dict[str, Any]", self.execution_context.parse_options)
        options.update(
            max_lexical_tokens=MAX_TOKENS, max_comments=MAX_COMMENTS, max_source_length=MAX_SOURCE_LENGTH
        )
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            error = check(context.graphql_document)
            if error is not None:
                # Validation is skipped when errors are already there: the costly rules never see the document.
                context.pre_execution_errors = [error]
        yield


def is_parse_limit(error: GraphQLError) -> bool:
    """Whether a syntax error is the parser refusing a document over a limit (length, tokens, comments, nesting)."""
    return error.message.endswith("Parsing aborted.")
