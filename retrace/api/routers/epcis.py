"""The query side of the EPCIS 2.0 REST binding, read-only: ``GET /epcis/events`` and ``GET /epcis/events/{eventID}``.

Both answer an ``EPCISQueryDocument`` (JSON-LD; ``application/ld+json`` unless the client accepts only
``application/json``) holding EPCIS 2.0 events, one per recorded event (``retrace.domain.epcis``).  What the
parameters mean and how they are served is in ``retrace.app.epcis_query``.  As the binding says, paging is by
``perPage`` and ``nextPageToken``, and the next page's address comes in the ``Link`` header with ``rel="next"``.

A query parameter that is unknown, unsupported or malformed is refused with 400 (the binding's
``QueryParameterException``) in the platform's error shape, its ``field`` naming the parameter; an unknown event id
is 404 ``EVENT_NOT_FOUND``.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from retrace.api.deps import ServicesDep
from retrace.api.errors import ErrorResponse, body, error_responses
from retrace.app import epcis_query
from retrace.app.epcis_query import PARAMETERS, QUERY_NAME, EpcisQueries, parse_query
from retrace.domain.epcis import CONTEXT, SCHEMA_VERSION
from retrace.domain.errors import InvalidInput

router = APIRouter(prefix="/epcis", tags=["epcis"])

JSON_LD = "application/ld+json"
_CONTENT: dict[str, Any] = {
    JSON_LD: {"schema": {"type": "object", "description": "An EPCISQueryDocument (EPCIS 2.0 JSON-LD)."}},
    "application/json": {"schema": {"type": "object", "description": "The same document."}},
}
_BAD_QUERY: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "A query parameter is unknown, unsupported or malformed (`VALIDATION_ERROR`, "
        "`INVALID_IDENTIFIER`); `field` names it.",
    }
}
_QUERY_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
    for name, text in PARAMETERS.items()
]

_EVENT_ID = {
    "name": "event_id",
    "in": "path",
    "required": True,
    "description": "Our event id (`tv-0001-ship`), or the EPCIS `eventID` our events carry (`urn:uuid:…`).",
    "schema": {"type": "string"},
}


def query_document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": [CONTEXT[0], dict(CONTEXT[1])],
        "type": "EPCISQueryDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": datetime.now(UTC).isoformat(),
        "epcisBody": {"queryResults": {"queryName": QUERY_NAME, "resultsBody": {"eventList": events}}},
    }


def _media_type(request: Request) -> str:
    accept = request.headers.get("accept", "")
    return "application/json" if "application/json" in accept and JSON_LD not in accept else JSON_LD


def _bad_query(error: InvalidInput) -> JSONResponse:
    """400, as the binding answers a bad query parameter (elsewhere the platform answers invalid input with 422)."""
    return JSONResponse(
        body(error.code, error.message, error.message_zh, error.field, error.details), status_code=400
    )


@router.get(
    "/events",
    summary="Query events as EPCIS 2.0 / 以 EPCIS 2.0 格式查询事件",
    description=inspect.cleandoc(epcis_query.__doc__ or ""),
    response_class=JSONResponse,
    responses={
        200: {
            "description": "An EPCISQueryDocument. When more events may follow, the `Link` header gives the next "
            'page\'s address with `rel="next"`.',
            "content": _CONTENT,
            "headers": {
                "Link": {"description": 'The next page: `<…>; rel="next"`.', "schema": {"type": "string"}}
            },
        },
        **_BAD_QUERY,
        **error_responses(503),
    },
    openapi_extra={"parameters": _QUERY_PARAMETERS},
)
async def query_events(request: Request, services: ServicesDep) -> JSONResponse:
    queries = EpcisQueries(services.store)
    try:
        page = await queries.events(parse_query(request.query_params.multi_items(), queries.naming))
    except InvalidInput as e:
        return _bad_query(e)
    headers = {}
    if page.next_page_token is not None:
        following = request.url.include_query_params(nextPageToken=page.next_page_token)
        headers["Link"] = f'<{following}>; rel="next"'
    return JSONResponse(query_document(page.events), media_type=_media_type(request), headers=headers)


@router.get(
    "/events/{event_id:path}",
    summary="One event as EPCIS 2.0 / 以 EPCIS 2.0 格式查询单个事件",
    description="The event by our event id or by its EPCIS `eventID` (`urn:uuid:…`), in an EPCISQueryDocument. "
    "A correction comes out as the event it declares erroneous, with its `errorDeclaration`.",
    response_class=JSONResponse,
    responses={
        200: {"description": "An EPCISQueryDocument of one event.", "content": _CONTENT},
        **error_responses(404, 503),
    },
    openapi_extra={"parameters": [_EVENT_ID]},
)
async def query_event(request: Request, services: ServicesDep) -> JSONResponse:
    # Read from the path rather than declared: a string cannot fail validation, so no 422 is documented.
    event = await EpcisQueries(services.store).event(request.path_params["event_id"])
    return JSONResponse(query_document([event]), media_type=_media_type(request))
