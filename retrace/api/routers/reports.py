"""``/api/v1/reports``: recovery against targets, producers' EPR, sites' mass balances, flows, drill-down."""

from __future__ import annotations

import base64
import binascii
import inspect
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from retrace.api.deps import ServicesDep
from retrace.api.errors import error_responses
from retrace.api.schemas.reports import (
    ContributionView,
    DrilldownResponse,
    EprResponse,
    FlowRecordView,
    FlowsResponse,
    PeriodView,
    RecordsResponse,
    RecoveryReportResponse,
    ScopeView,
    SiteBalanceView,
    SitesResponse,
    TargetsResponse,
    kg,
)
from retrace.app import reporting
from retrace.app.ports import FlowRecordKey, FlowRecordQuery
from retrace.app.reporting import ReportQueries
from retrace.domain import errors as codes
from retrace.domain.changes import Direction, FlowRecord
from retrace.domain.errors import InvalidInput
from retrace.domain.model import Stream
from retrace.domain.rates.report import Measure, Period, Scope, ScopeKind, applicable, select
from retrace.targets import load_catalogue

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

_ERRORS = error_responses(404, 422, 503)
_DESCRIPTION = inspect.cleandoc(reporting.__doc__ or "")


def get_reports(services: ServicesDep) -> ReportQueries:
    return ReportQueries(services.store, load_catalogue())


ReportsDep = Annotated[ReportQueries, Depends(get_reports)]
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-01"])]
ScopeParam = Annotated[ScopeKind, Query(description="nation, province, party, site, producer or model.")]
IdParam = Annotated[
    str | None,
    Query(
        max_length=128,
        description="Province code (44 or 440000), party, site, producer or model id; none for the nation.",
    ),
]
StreamParam = Annotated[Stream | None, Query(description="Only this stream (weee, elv, battery).")]
FromParam = Annotated[Month, Query(alias="from", description="First month, YYYY-MM (China Standard Time).")]
ToParam = Annotated[Month, Query(alias="to", description="Last month, YYYY-MM, included.")]


def _scope(kind: ScopeKind, id_: str | None, stream: Stream | None) -> Scope:
    return Scope(kind, id_ or None, stream)


@router.get(
    "/recovery",
    summary="Recovery against targets / 回收利用率与目标对比",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def recovery(
    reports: ReportsDep,
    start: FromParam,
    end: ToParam,
    scope: ScopeParam = ScopeKind.NATION,
    id: IdParam = None,
    stream: StreamParam = None,
) -> RecoveryReportResponse:
    report = await reports.recovery(_scope(scope, id, stream), Period(start, end))
    return RecoveryReportResponse.of(report)


@router.get(
    "/producers",
    summary="Producers' EPR obligations / 生产者责任延伸履责情况",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def producers(
    reports: ReportsDep,
    start: FromParam,
    end: ToParam,
    producer_id: Annotated[str | None, Query(max_length=128, description="Only this producer.")] = None,
) -> EprResponse:
    period = Period(start, end)
    report = await reports.producers(period, producer_id)
    names = await reports.names(report)
    targets = [t for t in applicable(reports.catalogue, period, None) if t.measure == "epr_rate"]
    return EprResponse.of(report, names, targets)


@router.get(
    "/sites",
    summary="Sites and their mass balance / 场地物质平衡",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def sites(
    reports: ReportsDep,
    start: FromParam,
    end: ToParam,
    scope: ScopeParam = ScopeKind.NATION,
    id: IdParam = None,
    stream: StreamParam = None,
) -> SitesResponse:
    the_scope, period = _scope(scope, id, stream), Period(start, end)
    master, lines = await reports.sites(the_scope, period)
    selection = select(the_scope, master)
    return SitesResponse(
        scope=ScopeView(
            kind=the_scope.kind.value,
            id=the_scope.id,
            stream=the_scope.stream,
            name=selection.name,
            name_zh=selection.name_zh,
        ),
        period=PeriodView.of(period),
        sites=[SiteBalanceView.of(line, master) for line in lines],
    )


@router.get(
    "/flows",
    summary="Material flows for a Sankey diagram / 物质流（桑基图）",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def flows(
    reports: ReportsDep,
    start: FromParam,
    end: ToParam,
    scope: ScopeParam = ScopeKind.NATION,
    id: IdParam = None,
    stream: StreamParam = None,
    view: Annotated[
        str,
        Query(
            pattern="^(materials|roles|parties)$",
            description="materials: streams → material classes → fates; roles or parties: mass received by each "
            "from each other.",
        ),
    ] = "materials",
) -> FlowsResponse:
    the_scope, period = _scope(scope, id, stream), Period(start, end)
    sankey = await reports.flows(the_scope, period, view)
    names = await reports.scope_names(the_scope)
    return FlowsResponse.of(
        ScopeView(kind=scope.value, id=the_scope.id, stream=stream, name=names[0], name_zh=names[1]),
        period,
        view,
        sankey,
    )


@router.get(
    "/drilldown",
    summary="What a number is made of / 数值构成下钻",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def drilldown(
    reports: ReportsDep,
    start: FromParam,
    end: ToParam,
    measure: Annotated[Measure, Query(description="The number to expand.")],
    scope: ScopeParam = ScopeKind.NATION,
    id: IdParam = None,
    stream: StreamParam = None,
    by: Annotated[
        str, Query(pattern="^(site|party|material|model|stream)$", description="How to split it.")
    ] = "site",
    fate: Annotated[str | None, Query(max_length=32, description="For `final`: only this fate.")] = None,
) -> DrilldownResponse:
    the_scope, period = _scope(scope, id, stream), Period(start, end)
    _, rows = await reports.drill(the_scope, period, measure, by, fate)
    names = await reports.scope_names(the_scope)
    return DrilldownResponse(
        scope=ScopeView(kind=scope.value, id=the_scope.id, stream=stream, name=names[0], name_zh=names[1]),
        period=PeriodView.of(period),
        measure=measure.value,
        fate=fate,
        by=by,
        total_kg=kg(sum(r.mass_g for r in rows)),
        rows=[ContributionView.of(r) for r in rows],
    )


@router.get(
    "/records",
    summary="The flow records behind a site's numbers / 场地数值对应的事件记录",
    description=_DESCRIPTION,
    responses=_ERRORS,
)
async def records(
    reports: ReportsDep,
    start: FromParam,
    end: ToParam,
    site_id: Annotated[str, Query(min_length=1, max_length=128, description="The site.")],
    direction: Annotated[Direction | None, Query(description="Only this direction.")] = None,
    stage: Annotated[str | None, Query(max_length=32, description='Only this stage ("": none).')] = None,
    material: Annotated[str | None, Query(max_length=64, description="Only this material.")] = None,
    fate: Annotated[str | None, Query(max_length=32, description='Only this fate ("": none).')] = None,
    stream: StreamParam = None,
    model_id: Annotated[str | None, Query(max_length=128, description="Only this model.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
    after: Annotated[
        str | None, Query(max_length=1024, description="`next_after` of the previous page.")
    ] = None,
) -> RecordsResponse:
    period = Period(start, end)
    query = FlowRecordQuery(
        site_id=site_id,
        start=period.start_instant,
        end=period.end_instant,
        direction=direction,
        stream=stream,
        material=material,
        fate=fate,
        stage=stage,
        model_id=model_id,
    )
    found = await reports.records(query, limit, _cursor(after) if after else None)
    return RecordsResponse(
        site_id=site_id,
        records=[FlowRecordView.of(f) for f in found],
        next_after=_next(found[-1]) if len(found) == limit else None,
    )


@router.get(
    "/targets",
    summary="The targets and their sources / 目标及其来源",
    description="Every target the reports check, as data (retrace/targets/targets.csv), with its source and status.",
    responses=error_responses(503),
)
async def targets() -> TargetsResponse:
    return TargetsResponse.of(load_catalogue())


def _next(record: FlowRecord) -> str:
    key = [
        record.event_time.isoformat(),
        record.event_id,
        record.object_id,
        record.direction.value,
        record.stream.value,
    ]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _cursor(text: str) -> FlowRecordKey:
    try:
        moment, event_id, object_id, direction, *stream = json.loads(base64.urlsafe_b64decode(text.encode()))
        if len(stream) > 1 or not all(isinstance(s, str) for s in stream):
            raise ValueError("a cursor has at most five parts")
        return FlowRecordKey(
            datetime.fromisoformat(moment), event_id, object_id, Direction(direction), *stream
        )
    except (ValueError, TypeError, binascii.Error) as e:
        raise InvalidInput(
            "after is not a cursor this API gave out",
            code=codes.VALIDATION_ERROR,
            message_zh="after 参数无效",
            field="after",
        ) from e
