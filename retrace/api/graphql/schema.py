"""The GraphQL schema, built for the environment: in production introspection and "did you mean" suggestions are
off; the types are the same everywhere (``schema.graphql`` is the development schema, printed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.execution import ExecutionContext
from strawberry.types.scalar import ScalarDefinition

from retrace.api.graphql.errors import DomainErrors, log_unexpected
from retrace.api.graphql.limits import QueryLimits
from retrace.api.graphql.mutation import Mutation
from retrace.api.graphql.query import Query
from retrace.api.graphql.subscription import Subscription
from retrace.api.graphql.types import EVENT_TYPES

# Strawberry's own parsing and printing of instants and days, described for this platform's users.
SCALARS: dict[object, ScalarDefinition] = {
    datetime: replace(
        DateTimeDefinition,
        description="An instant as RFC 3339 text with its timezone offset, e.g. 2026-03-02T09:00:00+08:00 "
        "(China Standard Time) or 2026-03-02T01:00:00Z. Event times and period bounds without an offset are "
        "refused (VALIDATION_ERROR); an event's time is answered with the offset its device sent.",
    ),
    date: replace(
        DateDefinition,
        description="A calendar day as ISO 8601 text, YYYY-MM-DD, e.g. 2030-12-31 for the last day a licence "
        "is valid.",
    ),
}


class TraceSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # A refused request is the client's business and is answered with its code; only bugs are logged.
        log_unexpected(errors)


def build_schema(*, production: bool) -> strawberry.Schema:
    extensions: list[type[SchemaExtension] | Any] = [
        QueryLimits,
        partial(DomainErrors, hide_suggestions=production),
    ]
    if production:
        extensions.append(DisableIntrospection)
    return TraceSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(EVENT_TYPES.values()),  # every event type, also those no field names directly
        extensions=extensions,
        # The REST API's names (event_id, mass_kg): one vocabulary, and error fields that read the same in both.
        config=StrawberryConfig(
            auto_camel_case=False, disable_field_suggestions=production, scalar_map=SCALARS
        ),
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in ``schema.graphql``."""
    return build_schema(production=False).as_str() + "\n"
