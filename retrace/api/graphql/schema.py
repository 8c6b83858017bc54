"""The GraphQL schema, built for the environment: in production introspection and "did you mean" suggestions are
off; the types are the same everywhere (``schema.graphql`` is the development schema, printed)."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types.execution import ExecutionContext

from retrace.api.graphql.errors import DomainErrors, log_unexpected
from retrace.api.graphql.limits import QueryLimits
from retrace.api.graphql.mutation import Mutation
from retrace.api.graphql.query import Query
from retrace.api.graphql.subscription import Subscription
from retrace.api.graphql.types import EVENT_TYPES


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
        config=StrawberryConfig(auto_camel_case=False, disable_field_suggestions=production),
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in ``schema.graphql``."""
    return build_schema(production=False).as_str() + "\n"
