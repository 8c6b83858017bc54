"""The one error tree of the platform.

Every failure a user can cause or meet is a ``TraceError`` with a stable machine ``code`` (never renamed once
published: clients switch on it), an English ``message``, a Chinese ``message_zh`` for the people in the yard, the
offending ``field`` where there is one, and ``details`` for anything else a client may need.  The edge maps the
*class* of an error to an HTTP status or a GraphQL error in exactly one place; the code travels unchanged.

    TraceError
    ├── InvalidInput        a request that can never succeed as sent (bad identifier, bad field, bad batch)
    │   ├── InvalidIdentifier
    │   │   └── InvalidLink   a resolver address that is no readable link (HTTP 400, not 422)
    │   └── BatchTooLarge
    ├── NotFound            something the request names does not exist
    ├── Conflict            the request contradicts what is already recorded (replayed id with other content,
    │                       double treatment, a concurrent write that lost)
    ├── RuleViolation       the request is well formed but breaks a business rule (mass balance, licence, time)
    ├── BatchRejected       a batch in which at least one event failed: carries every event's error, stores nothing
    └── StoreUnavailable    the store could not be reached or failed mid-write; nothing was stored (or,
                            if the link dropped at the commit, the outcome is unknown and a resend is safe)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    """One error, as every entry point reports it."""

    code: str
    message: str
    message_zh: str
    field: str | None = None
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "message_zh": self.message_zh}
        if self.field is not None:
            out["field"] = self.field
        if self.details:
            out["details"] = dict(self.details)
        return out


class TraceError(Exception):
    """Root of every error the platform raises on purpose."""

    default_code = "TRACE_ERROR"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        message_zh: str | None = None,
        field: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code or self.default_code
        self.message = message
        self.message_zh = message_zh or message
        self.field = field
        self.details: dict[str, Any] = dict(details or {})

    def detail(self) -> ErrorDetail:
        return ErrorDetail(self.code, self.message, self.message_zh, self.field, self.details)

    def at_field(self, prefix: str) -> TraceError:
        """The same error with its field placed under ``prefix`` (e.g. ``events[3].objects[0]``)."""
        self.field = f"{prefix}.{self.field}" if self.field else prefix
        return self


class InvalidInput(TraceError):
    default_code = "INVALID_INPUT"


class InvalidIdentifier(InvalidInput):
    default_code = "INVALID_IDENTIFIER"


class BatchTooLarge(InvalidInput):
    default_code = "BATCH_TOO_LARGE"


class InvalidLink(InvalidIdentifier):
    """A web address given to the resolver that is not a link it can read (a malformed Digital Link, a bad check
    digit, a missing serial): the web's "bad request", reported as such rather than as a rejected capture."""

    default_code = "INVALID_LINK"


class NotFound(TraceError):
    default_code = "NOT_FOUND"


class Conflict(TraceError):
    default_code = "CONFLICT"


class RuleViolation(TraceError):
    default_code = "RULE_VIOLATION"


class StoreUnavailable(TraceError):
    default_code = "STORE_UNAVAILABLE"


class BatchRejected(TraceError):
    """A batch with at least one bad event.  Nothing of the batch was stored (all-or-nothing)."""

    default_code = "BATCH_REJECTED"

    def __init__(self, errors: Sequence[tuple[int, str, TraceError]]) -> None:
        self.errors = list(errors)
        first = self.errors[0][2] if self.errors else None
        summary = f"{len(self.errors)} event(s) rejected; nothing was stored"
        super().__init__(
            f"{summary}: {first.message}" if first else summary,
            message_zh=f"{len(self.errors)} 个事件被拒绝，整批未保存",
            details={
                "errors": [
                    {"index": index, "event_id": event_id, **error.detail().as_dict()}
                    for index, event_id, error in self.errors
                ]
            },
        )

    @property
    def worst(self) -> TraceError:
        """The error whose class decides the status of the whole batch (conflicts outrank rule breaks)."""
        order = (StoreUnavailable, Conflict, NotFound, RuleViolation, InvalidInput)
        for kind in order:
            for _, _, error in self.errors:
                if isinstance(error, kind):
                    return error
        return self.errors[0][2]


# Stable codes, one per rule of the brief (§7).  Kept as constants so tests and docs cite the same strings.
VALIDATION_ERROR = "VALIDATION_ERROR"
INVALID_IDENTIFIER = "INVALID_IDENTIFIER"
BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND"
PARTY_NOT_FOUND = "PARTY_NOT_FOUND"
SITE_NOT_FOUND = "SITE_NOT_FOUND"
MODEL_NOT_FOUND = "MODEL_NOT_FOUND"
EVENT_NOT_FOUND = "EVENT_NOT_FOUND"
OBJECT_TERMINAL = "OBJECT_TERMINAL"
DOUBLE_TREATMENT = "DOUBLE_TREATMENT"
MASS_BALANCE_EXCEEDED = "MASS_BALANCE_EXCEEDED"
LICENCE_INVALID = "LICENCE_INVALID"
EVENT_TIME_IN_FUTURE = "EVENT_TIME_IN_FUTURE"
EVENT_BEFORE_OBJECT = "EVENT_BEFORE_OBJECT"
EVENT_ID_CONFLICT = "EVENT_ID_CONFLICT"
IDENTIFIER_TAKEN = "IDENTIFIER_TAKEN"
ALREADY_ASSOCIATED = "ALREADY_ASSOCIATED"  # an associate names an identifier the item already carries
CONCURRENT_MODIFICATION = "CONCURRENT_MODIFICATION"
NOT_HOLDER = "NOT_HOLDER"
NOT_IN_TRANSIT_TO_PARTY = "NOT_IN_TRANSIT_TO_PARTY"
ALREADY_HELD = "ALREADY_HELD"
AGGREGATION_INVALID = "AGGREGATION_INVALID"
ALREADY_CORRECTED = "ALREADY_CORRECTED"
CORRECTION_NOT_LATEST = "CORRECTION_NOT_LATEST"
ROLE_MISSING = "ROLE_MISSING"
SCHEMA_MIGRATION_FAILED = "SCHEMA_MIGRATION_FAILED"
# GraphQL: a document that is not valid GraphQL for the schema (syntax, unknown field, wrong argument type) …
QUERY_INVALID = "QUERY_INVALID"
# … or one over the limits on depth, aliases, tokens, selected fields or expensive fields per request.
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INVALID_LINK = "INVALID_LINK"
NO_IDENTIFIER = "NO_IDENTIFIER"
