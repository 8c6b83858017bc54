"""``/api/v1/items/{identifier}``: what an object is, what happened to it, where it came from and went, who held it.

The identifier is any of the object's identifiers, as scanned: a GS1 Digital Link URI (slashes and all), an EPC URN,
SGTIN-96 hex, a battery code, a VIN or an internal code; URL-encoded or not.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Path, Query

from retrace.api.deps import TraceDep
from retrace.api.errors import error_responses
from retrace.api.schemas.views import (
    CustodyResponse,
    CustodySpanView,
    HistoryEntry,
    HistoryResponse,
    ItemView,
    LineageResponse,
)
from retrace.app import tracing
from retrace.app.ports import LineageDirection
from retrace.domain.errors import InvalidIdentifier

router = APIRouter(prefix="/api/v1/items", tags=["items"])

_ERRORS = error_responses(404, 422, 503)
_DESCRIPTION = inspect.cleandoc(tracing.__doc__ or "")

IdentifierParam = Annotated[
    str,
    Path(
        description="Any identifier of the object: a Digital Link URI such as "
        "`https://id.gs1.org/01/06941234500017/21/TV0001`, `urn:epc:id:sgtin:…`, SGTIN-96 hex, battery code, VIN "
        "or internal code. Slashes and colons may be sent as they are or URL-encoded.",
        examples=["urn:epc:id:sgtin:0614141.812345.6789"],
    ),
]

# Some proxies collapse "//" in paths: "https:/id.gs1.org/…" can only have meant "https://id.gs1.org/…".
_COLLAPSED_SCHEME = re.compile(r"^(https?):/(?!/)", re.IGNORECASE)


def _identifier(raw: str) -> str:
    return _COLLAPSED_SCHEME.sub(r"\1://", raw)


@contextmanager
def _about_identifier() -> Iterator[None]:
    """An identifier that cannot be parsed is reported against the path parameter that carried it."""
    try:
        yield
    except InvalidIdentifier as e:
        if e.field is None:
            e.field = "identifier"
        raise


@router.get(
    "/{identifier:path}/history",
    summary="History of an item / 物品履历",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def item_history(identifier: IdentifierParam, trace: TraceDep) -> HistoryResponse:
    with _about_identifier():
        obj, records = await trace.history(_identifier(identifier))
    return HistoryResponse(item=ItemView.of(obj), events=[HistoryEntry.of(r, obj.id) for r in records])


@router.get(
    "/{identifier:path}/lineage",
    summary="Lineage of an item / 物品溯源链",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def item_lineage(
    identifier: IdentifierParam,
    trace: TraceDep,
    direction: Annotated[
        LineageDirection,
        Query(description="`upstream`: where it came from; `downstream`: where every part of it went."),
    ] = LineageDirection.DOWNSTREAM,
    depth: Annotated[
        int, Query(ge=1, description="How many links to follow at most (up to the server's limit).")
    ] = 10,
) -> LineageResponse:
    with _about_identifier():
        lineage = await trace.lineage(_identifier(identifier), direction, depth)
    return LineageResponse.of(lineage, direction, depth)


@router.get(
    "/{identifier:path}/custody",
    summary="Chain of custody / 监管链",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def item_custody(identifier: IdentifierParam, trace: TraceDep) -> CustodyResponse:
    with _about_identifier():
        obj, spans = await trace.custody(_identifier(identifier))
    return CustodyResponse(item=ItemView.of(obj), custody=[CustodySpanView.of(s) for s in spans])


@router.get(
    "/{identifier:path}",
    summary="Find an item by any identifier / 按标识查询物品",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def get_item(identifier: IdentifierParam, trace: TraceDep) -> ItemView:
    with _about_identifier():
        obj = await trace.find(_identifier(identifier))
    return ItemView.of(obj)
