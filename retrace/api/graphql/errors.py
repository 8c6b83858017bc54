"""The one place where errors become GraphQL errors.

A ``TraceError`` keeps its stable code, messages, field and details: ``extensions`` is exactly the object the REST
API puts under ``"error"`` (built by the same function, ``retrace.api.errors.body``), so a client handles both the
same way.  A document that is not valid GraphQL is QUERY_INVALID (with "did you mean" suggestions removed in
production), one over the limits QUERY_TOO_COMPLEX; anything unexpected is INTERNAL_ERROR with the REST API's
message, logged with its traceback and never shown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from retrace.api.errors import body
from retrace.api.graphql.limits import is_parse_limit
from retrace.domain import errors as codes
from retrace.domain.errors import TraceError

log = logging.getLogger(__name__)

INTERNAL_ERROR = "INTERNAL_ERROR"
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def extensions_of(error: TraceError) -> dict[str, Any]:
    """What REST answers under ``"error"`` for ``error``."""
    out: dict[str, Any] = body(error.code, error.message, error.message_zh, error.field, error.details)[
        "error"
    ]
    return out


# What strawberry says of an HTTP request it cannot read, in Chinese for the people who read these messages too.
_REQUEST_REASONS_ZH = {
    "Unsupported content type": "不支持的内容类型：请以 application/json 发送 GraphQL 请求",
    "Unable to parse request body as JSON": "请求体不是合法的 JSON",
    "No GraphQL query found in the request": "请求中没有 GraphQL 查询（query 字段）",
    "Batching is not enabled": "不支持批量请求：请每次发送一个查询",
}


def request_error_body(reason: str) -> dict[str, Any]:
    """The answer to an HTTP request that carries no readable GraphQL operation (wrong content type, broken JSON,
    no query): a GraphQL error list with QUERY_INVALID, like every other refusal, instead of plain text."""
    zh = _REQUEST_REASONS_ZH.get(reason, f"GraphQL 请求无效：{reason}")
    return {
        "data": None,
        "errors": [{"message": reason, "extensions": body(codes.QUERY_INVALID, reason, zh)["error"]}],
    }


def is_unexpected(error: GraphQLError) -> bool:
    """A failure of the platform itself (a bug), as opposed to a bad request or a rule a request broke."""
    original = error.original_error
    if original is None or isinstance(original, TraceError | GraphQLError):
        return False
    if error.extensions and "code" in error.extensions:
        return False
    # Variables are coerced before anything runs; a scalar that cannot read a value raises ValueError or TypeError.
    return not (error.path is None and error.message.startswith("Variable '$"))


def to_graphql(error: GraphQLError, *, hide_suggestions: bool) -> GraphQLError:
    original = error.original_error
    if isinstance(original, TraceError):
        return _with(error, original.message, extensions_of(original))
    if error.extensions and "code" in error.extensions:  # already ours (the limits)
        return error
    if is_unexpected(error):
        message = "an unexpected error occurred; it was logged. Retry, and report it if it persists"
        extensions = body(INTERNAL_ERROR, message, "服务器内部错误，已记录日志。请重试，如持续出现请报告")[
            "error"
        ]
        return _with(error, message, extensions)
    message = _SUGGESTION.sub("", error.message) if hide_suggestions else error.message
    if is_parse_limit(error):
        code, zh = codes.QUERY_TOO_COMPLEX, "查询文本超出限制（长度、词元数、注释数或嵌套层数），已拒绝"
    else:
        code, zh = codes.QUERY_INVALID, "GraphQL 查询无效：" + message
    return _with(error, message, body(code, message, zh)["error"])


def _with(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


class DomainErrors(SchemaExtension):
    """Rewrites the errors of every result, of queries and mutations and of each subscription event."""

    def __init__(self, *, hide_suggestions: bool) -> None:
        self.hide_suggestions = hide_suggestions
        self._streamed = False

    def _rewrite(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [to_graphql(e, hide_suggestions=self.hide_suggestions) for e in errors]  # type: ignore[attr-defined]

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if not self._streamed:  # a subscription's results were rewritten one by one
            self._rewrite(self.execution_context.result)

    def on_stream_result(self, result: object) -> Iterator[None]:
        self._streamed = True
        self._rewrite(result)
        yield None


def log_unexpected(errors: list[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error):
            original = error.original_error
            log.error(
                "unexpected error in GraphQL at %s",
                ".".join(map(str, error.path or [])) or "(operation)",
                exc_info=(type(original), original, original.__traceback__) if original else None,
            )
