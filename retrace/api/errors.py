"""The one place where errors become HTTP responses.

The *class* of a ``TraceError`` decides the status; its code, messages, field and details travel unchanged in one
body shape, ``{"error": {"code", "message", "message_zh", "field", "details"}}``, also used for request validation
errors (code ``VALIDATION_ERROR``, field as a path such as ``events[2].event_time``), unknown routes, oversized
bodies and anything unexpected (a 500 that never carries a traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from retrace.domain import errors as codes
from retrace.domain.errors import (
    BatchRejected,
    BatchTooLarge,
    Conflict,
    InvalidInput,
    InvalidLink,
    NotFound,
    RuleViolation,
    StoreUnavailable,
    TraceError,
)
from retrace.domain.events import EVENT_TYPES

log = logging.getLogger(__name__)


# -- the body, as documented in OpenAPI ---------------------------------------------------------------------------


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine code; clients switch on it (e.g. `OBJECT_NOT_FOUND`).")
    message: str = Field(description="What went wrong and what to do, in English.")
    message_zh: str = Field(description="同上，中文。")
    field: str | None = Field(
        None, description="The offending field as a path into the request (`events[2].event_time`), if any."
    )
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="Anything else a client may need. A rejected batch lists every failing event under `errors`, "
        "each with its `index` in the batch, `event_id`, `code`, messages and `field` within the event.",
    )


class ErrorResponse(BaseModel):
    """Every error the API returns has this shape."""

    error: ErrorBody = Field(description="The error.")


_DESCRIPTIONS = {
    400: "The address is not a link the resolver can read (`INVALID_LINK`: a malformed GS1 Digital Link, a bad "
    "check digit, a missing serial).",
    404: "Something the request names does not exist (`OBJECT_NOT_FOUND`, `SITE_NOT_FOUND` …).",
    409: "The request contradicts what is recorded (`EVENT_ID_CONFLICT`, `DOUBLE_TREATMENT`, "
    "`OBJECT_TERMINAL`, `CONCURRENT_MODIFICATION` …).",
    413: "The batch or the request body is too large (`BATCH_TOO_LARGE`); split it.",
    422: "The request is malformed (`VALIDATION_ERROR`, `INVALID_IDENTIFIER`) or breaks a business rule "
    "(`MASS_BALANCE_EXCEEDED`, `LICENCE_INVALID`, `EVENT_TIME_IN_FUTURE` …).",
    503: "The store is unreachable or failed mid-write (`STORE_UNAVAILABLE`); nothing was stored, unless "
    "`details.outcome` is `unknown` (the connection dropped at the commit). Resend the same batch later: a replay is "
    "safe.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that can fail with these statuses, for its OpenAPI description."""
    return {status: {"model": ErrorResponse, "description": _DESCRIPTIONS[status]} for status in statuses}


# -- status of each class of error ----------------------------------------------------------------------------------


def status_for(error: TraceError) -> int:
    if isinstance(error, BatchRejected):
        return status_for(error.worst) if error.errors else 422
    if isinstance(error, BatchTooLarge):
        return 413
    if isinstance(error, InvalidLink):  # a web address, not a request body: the web's "bad request"
        return 400
    if isinstance(error, InvalidInput | RuleViolation):
        return 422
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, StoreUnavailable):
        return 503
    return 400


def body(
    code: str,
    message: str,
    message_zh: str,
    field: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "message_zh": message_zh,
            "field": field,
            "details": dict(details or {}),
        }
    }


def error_response(error: TraceError) -> JSONResponse:
    headers = {"Retry-After": "5"} if isinstance(error, StoreUnavailable) else None
    return JSONResponse(
        body(error.code, error.message, error.message_zh, error.field, error.details),
        status_code=status_for(error),
        headers=headers,
    )


class TraceHTTPException(HTTPException):
    """A ``TraceError`` raised where only an ``HTTPException`` gets through (e.g. while FastAPI reads a body)."""

    def __init__(self, error: TraceError) -> None:
        super().__init__(status_code=status_for(error), detail=error.message)
        self.error = error


def body_too_large(limit: int) -> BatchTooLarge:
    return BatchTooLarge(
        f"the request body exceeds {limit} bytes; split the batch",
        message_zh=f"请求体超过 {limit} 字节，请拆分批次",
        details={"max_body_bytes": limit},
    )


# -- request validation ---------------------------------------------------------------------------------------------

_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "timezone_aware": "时间需要时区偏移（如 +08:00 或 Z）",
    "datetime_parsing": "时间格式错误，应为 RFC 3339",
    "datetime_from_date_parsing": "时间格式错误，应为 RFC 3339",
    "datetime_type": "时间格式错误，应为 RFC 3339",
    "date_parsing": "日期格式错误，应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式错误，应为 YYYY-MM-DD",
    "string_type": "应为字符串",
    "string_too_short": "字符串过短",
    "string_too_long": "字符串过长",
    "string_pattern_mismatch": "格式不符合要求",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "list_type": "应为列表",
    "too_short": "列表元素过少",
    "too_long": "列表元素过多",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "model_type": "应为对象",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "union_tag_invalid": "未知的事件类型",
    "union_tag_not_found": "缺少事件类型 type",
    "json_invalid": "请求体不是有效的 JSON",
    "bool_parsing": "应为布尔值",
    "value_error": "取值错误",
}

_EVENT_TAGS = frozenset(EVENT_TYPES)
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def field_path(loc: Sequence[str | int]) -> str | None:
    """``("body", "events", 2, "commission", "event_time")`` → ``events[2].event_time``.

    The request part (body, query …) and the union tag pydantic inserts after a discriminated event are dropped:
    clients know the request by its own field names only."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    out = ""
    for i, part in enumerate(parts):
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _EVENT_TAGS and i >= 2 and isinstance(parts[i - 1], int) and parts[i - 2] == "events":
            continue
        else:
            out += f".{part}" if out else part
    return out or None


def _event_index(loc: Sequence[str | int]) -> int | None:
    parts = list(loc)
    if len(parts) >= 3 and parts[0] == "body" and parts[1] == "events" and isinstance(parts[2], int):
        return parts[2]
    return None


def validation_body(errors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for err in errors:
        kind = str(err.get("type", "value_error"))
        loc = tuple(err.get("loc", ()))
        path = None if kind == "json_invalid" else field_path(loc)
        if kind in ("union_tag_invalid", "union_tag_not_found"):  # pydantic points at the event, not its tag
            path = f"{path}.type" if path else "type"
        message = str(err.get("msg", "invalid value"))
        if kind == "json_invalid":
            message = f"the request body is not valid JSON ({err.get('ctx', {}).get('error', message)})"
        elif kind == "missing" and path is None:
            message = "a request body is required"
        elif kind == "timezone_aware":
            message = "a timestamp needs a timezone offset (RFC 3339, e.g. 2024-05-01T08:00:00+08:00 or …Z)"
        entry: dict[str, Any] = {
            "code": codes.VALIDATION_ERROR,
            "message": message,
            "message_zh": _ZH.get(kind, "输入错误"),
            "field": path,
            "type": kind,
        }
        index = _event_index(loc)
        if index is not None:
            entry["index"] = index
        entries.append(entry)
    first = entries[0] if entries else {"message": "invalid request", "message_zh": "请求无效", "field": None}
    where = f"{first['field']}: " if first["field"] else ""
    more = f" (and {len(entries) - 1} more)" if len(entries) > 1 else ""
    return body(
        codes.VALIDATION_ERROR,
        f"{where}{first['message']}{more}",
        f"{where}{first['message_zh']}" + (f"（另有 {len(entries) - 1} 处错误）" if len(entries) > 1 else ""),
        first["field"],
        {"errors": entries},
    )


# -- installing the handlers ----------------------------------------------------------------------------------------

_HTTP_CODES = {
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: codes.BATCH_TOO_LARGE,
    415: "UNSUPPORTED_MEDIA_TYPE",
}


async def _on_trace_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TraceError)
    return error_response(exc)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(validation_body(exc.errors()), status_code=422)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, TraceHTTPException):
        return error_response(exc.error)
    status = exc.status_code
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    code = _HTTP_CODES.get(status, phrase.upper().replace(" ", "_").replace("-", "_"))
    message = str(exc.detail) if exc.detail and str(exc.detail) != phrase else phrase
    if status == 404:
        message = f"no such endpoint: {request.method} {request.url.path}; see /docs"
    zh = {404: "没有这个接口，请查看 /docs", 405: "该接口不支持此方法", 413: "请求体过大，请拆分批次"}.get(
        status, "请求错误"
    )
    return JSONResponse(body(code, message, zh), status_code=status, headers=getattr(exc, "headers", None))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error in %s %s", request.method, request.url.path)
    return JSONResponse(
        body(
            "INTERNAL_ERROR",
            "an unexpected error occurred; it was logged. Retry, and report it if it persists",
            "服务器内部错误，已记录日志。请重试，如持续出现请报告",
        ),
        status_code=500,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(TraceError, _on_trace_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
