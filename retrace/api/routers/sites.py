"""``/api/v1/sites/{site_id}``: what is at a site now, and how much mass went through it in a period."""

from __future__ import annotations

import inspect
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime, BeforeValidator

from retrace.api.deps import TraceDep
from retrace.api.errors import error_responses
from retrace.api.schemas.views import FlowsResponse, FlowTotalView, InventoryResponse, ItemView
from retrace.app import tracing

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])

_ERRORS = error_responses(404, 422, 503)
_DESCRIPTION = inspect.cleandoc(tracing.__doc__ or "")
_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def _plus_restored(value: Any) -> Any:
    """A ``+08:00`` left unencoded in a query string arrives as `` 08:00``: read it as meant."""
    if isinstance(value, str):
        return _SPACE_OFFSET.sub(r"+\1", value)
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_plus_restored)]
SiteId = Annotated[str, Path(min_length=1, max_length=128, description="Registered site id.")]


@router.get(
    "/{site_id}/inventory",
    summary="Objects at a site now / 场地现存物品",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def site_inventory(
    site_id: SiteId,
    trace: TraceDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
    after: Annotated[
        str | None, Query(max_length=128, description="`next_after` of the previous page.")
    ] = None,
) -> InventoryResponse:
    objects = await trace.at_site(site_id, limit, after)
    return InventoryResponse(
        site_id=site_id,
        items=[ItemView.of(o) for o in objects],
        next_after=objects[-1].id if len(objects) == limit else None,
    )


@router.get(
    "/{site_id}/flows",
    summary="Mass flows through a site / 场地物质流",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def site_flows(
    site_id: SiteId,
    trace: TraceDep,
    start: Annotated[Instant, Query(description="Start of the period (included), RFC 3339 with offset.")],
    end: Annotated[Instant, Query(description="End of the period (excluded), RFC 3339 with offset.")],
) -> FlowsResponse:
    totals = await trace.site_flows(site_id, start, end)
    return FlowsResponse(site_id=site_id, start=start, end=end, totals=[FlowTotalView.of(t) for t in totals])
