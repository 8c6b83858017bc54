"""The reports in GraphQL: recovery against targets, producers' EPR obligations, sites' mass balances, material
flows (Sankey), drill-down and the flow records behind a site's numbers.

Each resolver calls the REST endpoint's own function (``retrace.api.routers.reports``) and re-shapes its body, so
both APIs give the same numbers from one code path; field descriptions are the REST schema's own.  Maps of the
REST bodies (mass by fate, totals by group …) become lists of key/value objects here, since GraphQL has no maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry
from pydantic import BaseModel
from strawberry import enum_value as value

from retrace.api.graphql.context import context_of
from retrace.api.graphql.enums import FlowDirection, StreamKind, domain
from retrace.api.graphql.types import Info
from retrace.api.routers import reports as rest
from retrace.api.schemas import reports as views
from retrace.app.reporting import ReportQueries
from retrace.domain.changes import Direction
from retrace.domain.model import Stream
from retrace.domain.rates.report import Measure as DomainMeasure
from retrace.domain.rates.report import ScopeKind as DomainScopeKind


def _d(model: type[BaseModel], name: str) -> str:
    """The REST schema's description of a field: one text for both APIs."""
    return model.model_fields[name].description or ""


def _f(model: type[BaseModel], name: str, *, graphql_name: str | None = None) -> object:
    return strawberry.field(description=_d(model, name), name=graphql_name)


def _kg(x: Decimal) -> float:
    return float(x)


def _stream(s: str | None) -> StreamKind | None:
    return StreamKind(s) if s is not None else None


@strawberry.enum(description="What a report covers.")
class ReportScopeKind(Enum):
    NATION = value("nation", description="The whole country (全国); takes no id.")
    PROVINCE = value("province", description="A province (省), by GB/T 2260 code: 44 or 440000.")
    PARTY = value("party", description="The sites one party operates (企业).")
    SITE = value("site", description="One site (场地): the treatments recorded there.")
    PRODUCER = value(
        "producer", description="The product models of one producer (生产者), at first treatment."
    )
    MODEL = value("model", description="One product model (产品型号), at first treatment.")


@strawberry.enum(description="The numbers of a report that can be expanded into what they are made of.")
class ReportMeasure(Enum):
    INPUT = value("input", description="Mass entering treatment.")
    TREATED = value("treated", description="input − transfer − pending: the denominator of every rate.")
    TRANSFER = value("transfer", description="Traction packs released from vehicles (to the battery stream).")
    PENDING = value("pending", description="Outputs still awaiting treatment.")
    FINAL = value("final", description="Final mass by fate (give `fate` to take one).")
    RECYCLED = value("recycled", description="reuse + remanufacture + recycling.")
    RECOVERED = value("recovered", description="recycled + energy recovery.")
    LOSS = value("loss", description="treated − Σ final: mass that left as no recorded output.")
    COLLECTED = value("collected", description="Mass collected from owners or producers.")
    PLACED = value("placed", description="Mass placed on the market.")
    UNITS_TREATED = value("units_treated", description="Units entering treatment.")


# -- shared pieces ------------------------------------------------------------------------------------------------


@strawberry.type(description="What a report covers.")
class ReportScope:
    kind: str = _f(views.ScopeView, "kind")  # type: ignore[assignment]
    id: str | None = _f(views.ScopeView, "id")  # type: ignore[assignment]
    stream: StreamKind | None = _f(views.ScopeView, "stream")  # type: ignore[assignment]
    name: str = _f(views.ScopeView, "name")  # type: ignore[assignment]
    name_zh: str = _f(views.ScopeView, "name_zh")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.ScopeView) -> ReportScope:
        return cls(kind=v.kind, id=v.id, stream=_stream(v.stream), name=v.name, name_zh=v.name_zh)


@strawberry.type(description="The calendar months a report covers (China Standard Time).")
class ReportPeriod:
    from_: str = _f(views.PeriodView, "from_", graphql_name="from")  # type: ignore[assignment]
    to: str = _f(views.PeriodView, "to")  # type: ignore[assignment]
    months: int = _f(views.PeriodView, "months")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.PeriodView) -> ReportPeriod:
        return cls(from_=v.from_, to=v.to, months=v.months)


@strawberry.type(description="A mass under a name (a fate, an indicator class, an element).")
class KeyedMass:
    key: str = strawberry.field(description="The fate, indicator class or element.")
    mass_kg: float = strawberry.field(description="Mass under that name, in kilograms.")


def _keyed(d: dict[str, Decimal]) -> list[KeyedMass]:
    return [KeyedMass(key=k, mass_kg=_kg(m)) for k, m in d.items()]


@strawberry.type(description="Recovery of one element.")
class ElementRecovery:
    element: str = _f(views.ElementView, "element")  # type: ignore[assignment]
    input_kg: float = _f(views.ElementView, "input_kg")  # type: ignore[assignment]
    recovered_kg: float = _f(views.ElementView, "recovered_kg")  # type: ignore[assignment]
    rate: float | None = _f(views.ElementView, "rate")  # type: ignore[assignment]


_FV = views.FiguresView


@strawberry.type(description="The mass balance of a scope: what entered treatment and where it ended.")
class ReportFigures:
    stream: StreamKind | None = strawberry.field(description="The stream (null: all streams of the scope).")
    input_kg: float = _f(_FV, "input_kg")  # type: ignore[assignment]
    transfer_kg: float = _f(_FV, "transfer_kg")  # type: ignore[assignment]
    pending_kg: float = _f(_FV, "pending_kg")  # type: ignore[assignment]
    treated_kg: float = _f(_FV, "treated_kg")  # type: ignore[assignment]
    by_fate: list[KeyedMass] = _f(_FV, "by_fate_kg")  # type: ignore[assignment]
    loss_kg: float = _f(_FV, "loss_kg")  # type: ignore[assignment]
    reagents_kg: float = _f(_FV, "reagents_kg")  # type: ignore[assignment]
    recycled_kg: float = _f(_FV, "recycled_kg")  # type: ignore[assignment]
    recovered_kg: float = _f(_FV, "recovered_kg")  # type: ignore[assignment]
    recycling_rate: float | None = _f(_FV, "recycling_rate")  # type: ignore[assignment]
    recovery_rate: float | None = _f(_FV, "recovery_rate")  # type: ignore[assignment]
    unknown_share: float | None = _f(_FV, "unknown_share")  # type: ignore[assignment]
    units_treated: int = _f(_FV, "units_treated")  # type: ignore[assignment]
    collected_kg: float = _f(_FV, "collected_kg")  # type: ignore[assignment]
    units_collected: int = _f(_FV, "units_collected")  # type: ignore[assignment]
    placed_on_market_kg: float = _f(_FV, "placed_on_market_kg")  # type: ignore[assignment]
    units_placed_on_market: int = _f(_FV, "units_placed_on_market")  # type: ignore[assignment]
    remanufacturing_value_cny: int = _f(_FV, "remanufacturing_value_cny")  # type: ignore[assignment]
    elements: list[ElementRecovery] = _f(_FV, "elements")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.FiguresView, stream: str | None = None) -> ReportFigures:
        return cls(
            stream=_stream(stream),
            input_kg=_kg(v.input_kg),
            transfer_kg=_kg(v.transfer_kg),
            pending_kg=_kg(v.pending_kg),
            treated_kg=_kg(v.treated_kg),
            by_fate=_keyed(v.by_fate_kg),
            loss_kg=_kg(v.loss_kg),
            reagents_kg=_kg(v.reagents_kg),
            recycled_kg=_kg(v.recycled_kg),
            recovered_kg=_kg(v.recovered_kg),
            recycling_rate=v.recycling_rate,
            recovery_rate=v.recovery_rate,
            unknown_share=v.unknown_share,
            units_treated=v.units_treated,
            collected_kg=_kg(v.collected_kg),
            units_collected=v.units_collected,
            placed_on_market_kg=_kg(v.placed_on_market_kg),
            units_placed_on_market=v.units_placed_on_market,
            remanufacturing_value_cny=v.remanufacturing_value_cny,
            elements=[
                ElementRecovery(
                    element=e.element, input_kg=_kg(e.input_kg), recovered_kg=_kg(e.recovered_kg), rate=e.rate
                )
                for e in v.elements
            ],
        )


@strawberry.type(description="Final mass of one material of one stream with one fate.")
class MaterialFate:
    stream: StreamKind = _f(views.MaterialView, "stream")  # type: ignore[assignment]
    material: str = _f(views.MaterialView, "material")  # type: ignore[assignment]
    fate: str = _f(views.MaterialView, "fate")  # type: ignore[assignment]
    mass_kg: float = _f(views.MaterialView, "mass_kg")  # type: ignore[assignment]


_TV = views.TargetView


@strawberry.type(description="A target the reports check, with its source (retrace/targets/targets.csv).")
class ReportTarget:
    id: str = _f(_TV, "id")  # type: ignore[assignment]
    jurisdiction: str = _f(_TV, "jurisdiction")  # type: ignore[assignment]
    instrument: str = _f(_TV, "instrument")  # type: ignore[assignment]
    stream: str = _f(_TV, "stream")  # type: ignore[assignment]
    metric: str = _f(_TV, "metric")  # type: ignore[assignment]
    measure: str | None = _f(_TV, "measure")  # type: ignore[assignment]
    subject: str = _f(_TV, "subject")  # type: ignore[assignment]
    scope: str = _f(_TV, "scope")  # type: ignore[assignment]
    value: float = _f(_TV, "value")  # type: ignore[assignment]
    unit: str = _f(_TV, "unit")  # type: ignore[assignment]
    applies_from: date = _f(_TV, "applies_from")  # type: ignore[assignment]
    applies_to: date | None = _f(_TV, "applies_to")  # type: ignore[assignment]
    status: str = _f(_TV, "status")  # type: ignore[assignment]
    source: str = _f(_TV, "source")  # type: ignore[assignment]
    name: str = _f(_TV, "name")  # type: ignore[assignment]
    name_zh: str = _f(_TV, "name_zh")  # type: ignore[assignment]
    note: str = _f(_TV, "note")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.TargetView) -> ReportTarget:
        return cls(**v.model_dump())


_CV = views.TargetCheckView


@strawberry.type(
    description="One target in force for the scope and period, checked: measured value, target, gap, met."
)
class TargetCheck:
    target: ReportTarget = _f(_CV, "target")  # type: ignore[assignment]
    subject_kind: str = _f(_CV, "subject_kind")  # type: ignore[assignment]
    subject_id: str | None = _f(_CV, "subject_id")  # type: ignore[assignment]
    subject_name: str = _f(_CV, "subject_name")  # type: ignore[assignment]
    subject_name_zh: str = _f(_CV, "subject_name_zh")  # type: ignore[assignment]
    measured: float | None = _f(_CV, "measured")  # type: ignore[assignment]
    traced: float | None = _f(_CV, "traced")  # type: ignore[assignment]
    numerator: float | None = _f(_CV, "numerator")  # type: ignore[assignment]
    denominator: float | None = _f(_CV, "denominator")  # type: ignore[assignment]
    gap: float | None = _f(_CV, "gap")  # type: ignore[assignment]
    share_of_target: float | None = _f(_CV, "share_of_target")  # type: ignore[assignment]
    met: bool | None = _f(_CV, "met")  # type: ignore[assignment]
    applicable: bool = _f(_CV, "applicable")  # type: ignore[assignment]
    note: str = _f(_CV, "note")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.TargetCheckView) -> TargetCheck:
        fields = v.model_dump(exclude={"target"})
        return cls(target=ReportTarget.of(v.target), **fields)


_ET = views.EprTotalsView


@strawberry.type(description="Producers' EPR figures: placed on the market, collected, treated.")
class EprTotals:
    key: str | None = strawberry.field(
        description="The producer or EPR product group these totals are of (null: of the whole report)."
    )
    name: str | None = strawberry.field(description="The producer's name (null for a group or the total).")
    name_zh: str | None = strawberry.field(
        description="The producer's Chinese name (null for a group or the total)."
    )
    placed_on_market_units: int = _f(_ET, "placed_on_market_units")  # type: ignore[assignment]
    placed_on_market_kg: float = _f(_ET, "placed_on_market_kg")  # type: ignore[assignment]
    collected_units: int = _f(_ET, "collected_units")  # type: ignore[assignment]
    treated_units: int = _f(_ET, "treated_units")  # type: ignore[assignment]
    properly_treated_units: int = _f(_ET, "properly_treated_units")  # type: ignore[assignment]
    rate: float | None = _f(_ET, "rate")  # type: ignore[assignment]
    target_id: str | None = _f(_ET, "target_id")  # type: ignore[assignment]
    target: float | None = _f(_ET, "target")  # type: ignore[assignment]
    gap: float | None = _f(_ET, "gap")  # type: ignore[assignment]

    @classmethod
    def of(
        cls,
        v: views.EprTotalsView,
        key: str | None = None,
        name: str | None = None,
        name_zh: str | None = None,
    ) -> EprTotals:
        return cls(
            key=key,
            name=name,
            name_zh=name_zh,
            placed_on_market_units=v.placed_on_market_units,
            placed_on_market_kg=_kg(v.placed_on_market_kg),
            collected_units=v.collected_units,
            treated_units=v.treated_units,
            properly_treated_units=v.properly_treated_units,
            rate=v.rate,
            target_id=v.target_id,
            target=v.target,
            gap=v.gap,
        )


_RR = views.RecoveryReportResponse


@strawberry.type(
    description="Recovery of a scope over a period, against every target in force (docs/rates.md)."
)
class RecoveryReport:
    scope: ReportScope = _f(_RR, "scope")  # type: ignore[assignment]
    period: ReportPeriod = _f(_RR, "period")  # type: ignore[assignment]
    basis: str = _f(_RR, "basis")  # type: ignore[assignment]
    targets_version: str = _f(_RR, "targets_version")  # type: ignore[assignment]
    aggregate_rows: int = _f(_RR, "aggregate_rows")  # type: ignore[assignment]
    figures: ReportFigures = _f(_RR, "figures")  # type: ignore[assignment]
    streams: list[ReportFigures] = _f(_RR, "streams")  # type: ignore[assignment]
    materials: list[MaterialFate] = _f(_RR, "materials")  # type: ignore[assignment]
    indicator_classes: list[KeyedMass] = _f(_RR, "indicator_classes_kg")  # type: ignore[assignment]
    checks: list[TargetCheck] = _f(_RR, "checks")  # type: ignore[assignment]
    epr: EprTotals | None = _f(_RR, "epr")  # type: ignore[assignment]
    drilldown_measures: list[ReportMeasure] = strawberry.field(
        description="The numbers of this report that `drilldown` expands, with this report's scope, stream and "
        "period, into the sites, parties, materials, models or streams they are made of."
    )

    @classmethod
    def of(cls, v: views.RecoveryReportResponse) -> RecoveryReport:
        return cls(
            scope=ReportScope.of(v.scope),
            period=ReportPeriod.of(v.period),
            basis=v.basis,
            targets_version=v.targets_version,
            aggregate_rows=v.aggregate_rows,
            figures=ReportFigures.of(v.figures),
            streams=[ReportFigures.of(s, s.stream) for s in v.streams],
            materials=[
                MaterialFate(
                    stream=StreamKind(m.stream), material=m.material, fate=m.fate, mass_kg=_kg(m.mass_kg)
                )
                for m in v.materials
            ],
            indicator_classes=_keyed(v.indicator_classes_kg),
            checks=[TargetCheck.of(c) for c in v.checks],
            epr=EprTotals.of(v.epr) if v.epr else None,
            drilldown_measures=list(ReportMeasure),
        )


# -- EPR ----------------------------------------------------------------------------------------------------------

_EL = views.EprLineView


@strawberry.type(description="One product line (model) of a producer: its EPR figures in the period.")
class EprLine:
    producer_id: str = _f(_EL, "producer_id")  # type: ignore[assignment]
    model_id: str = _f(_EL, "model_id")  # type: ignore[assignment]
    stream: StreamKind = _f(_EL, "stream")  # type: ignore[assignment]
    category: str = _f(_EL, "category")  # type: ignore[assignment]
    epr_group: str = _f(_EL, "epr_group")  # type: ignore[assignment]
    component: bool = _f(_EL, "component")  # type: ignore[assignment]
    placed_on_market_units: int = _f(_EL, "placed_on_market_units")  # type: ignore[assignment]
    placed_on_market_kg: float = _f(_EL, "placed_on_market_kg")  # type: ignore[assignment]
    collected_units: int = _f(_EL, "collected_units")  # type: ignore[assignment]
    collected_kg: float = _f(_EL, "collected_kg")  # type: ignore[assignment]
    treated_units: int = _f(_EL, "treated_units")  # type: ignore[assignment]
    treated_kg: float = _f(_EL, "treated_kg")  # type: ignore[assignment]
    properly_treated_units: int = _f(_EL, "properly_treated_units")  # type: ignore[assignment]
    properly_treated_kg: float = _f(_EL, "properly_treated_kg")  # type: ignore[assignment]
    rate: float | None = _f(_EL, "rate")  # type: ignore[assignment]
    target_id: str | None = _f(_EL, "target_id")  # type: ignore[assignment]
    target: float | None = _f(_EL, "target")  # type: ignore[assignment]
    gap: float | None = _f(_EL, "gap")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.EprLineView) -> EprLine:
        fields = v.model_dump()
        for k in ("placed_on_market_kg", "collected_kg", "treated_kg", "properly_treated_kg"):
            fields[k] = float(fields[k])
        fields["stream"] = StreamKind(v.stream)
        return cls(**fields)


_ER = views.EprResponse


@strawberry.type(description="Producers' extended responsibility (EPR) obligations over a period.")
class ProducerObligations:
    period: ReportPeriod = _f(_ER, "period")  # type: ignore[assignment]
    producer_id: str | None = _f(_ER, "producer_id")  # type: ignore[assignment]
    lines: list[EprLine] = _f(_ER, "lines")  # type: ignore[assignment]
    producers: list[EprTotals] = _f(_ER, "producers")  # type: ignore[assignment]
    groups: list[EprTotals] = _f(_ER, "groups")  # type: ignore[assignment]
    total: EprTotals = _f(_ER, "total")  # type: ignore[assignment]
    targets: list[ReportTarget] = _f(_ER, "targets")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.EprResponse) -> ProducerObligations:
        return cls(
            period=ReportPeriod.of(v.period),
            producer_id=v.producer_id,
            lines=[EprLine.of(x) for x in v.lines],
            producers=[EprTotals.of(p, p.producer_id, p.name, p.name_zh) for p in v.producers],
            groups=[EprTotals.of(t, g) for g, t in v.groups.items()],
            total=EprTotals.of(v.total),
            targets=[ReportTarget.of(t) for t in v.targets],
        )


# -- sites and drill-down -------------------------------------------------------------------------------------

_SB = views.SiteBalanceView


@strawberry.type(description="One site's mass balance in the period, and what does not add up.")
class SiteBalance:
    site_id: str = _f(_SB, "site_id")  # type: ignore[assignment]
    name: str = _f(_SB, "name")  # type: ignore[assignment]
    name_zh: str = _f(_SB, "name_zh")  # type: ignore[assignment]
    party_id: str = _f(_SB, "party_id")  # type: ignore[assignment]
    party_name: str = _f(_SB, "party_name")  # type: ignore[assignment]
    party_name_zh: str = _f(_SB, "party_name_zh")  # type: ignore[assignment]
    region: str = _f(_SB, "region")  # type: ignore[assignment]
    received_kg: float = _f(_SB, "received_kg")  # type: ignore[assignment]
    shipped_kg: float = _f(_SB, "shipped_kg")  # type: ignore[assignment]
    figures: ReportFigures = _f(_SB, "figures")  # type: ignore[assignment]
    loss_share: float | None = _f(_SB, "loss_share")  # type: ignore[assignment]
    flags: list[str] = _f(_SB, "flags")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.SiteBalanceView) -> SiteBalance:
        return cls(
            site_id=v.site_id,
            name=v.name,
            name_zh=v.name_zh,
            party_id=v.party_id,
            party_name=v.party_name,
            party_name_zh=v.party_name_zh,
            region=v.region,
            received_kg=_kg(v.received_kg),
            shipped_kg=_kg(v.shipped_kg),
            figures=ReportFigures.of(v.figures),
            loss_share=v.loss_share,
            flags=v.flags,
        )


@strawberry.type(description="The sites of a scope with flows in a period, each with its mass balance.")
class SiteBalances:
    scope: ReportScope = _f(views.SitesResponse, "scope")  # type: ignore[assignment]
    period: ReportPeriod = _f(views.SitesResponse, "period")  # type: ignore[assignment]
    sites: list[SiteBalance] = _f(views.SitesResponse, "sites")  # type: ignore[assignment]


_CO = views.ContributionView


@strawberry.type(description="What one site, party, material, model or stream contributes to a number.")
class Contribution:
    key: str = _f(_CO, "key")  # type: ignore[assignment]
    name: str = _f(_CO, "name")  # type: ignore[assignment]
    name_zh: str = _f(_CO, "name_zh")  # type: ignore[assignment]
    mass_kg: float = _f(_CO, "mass_kg")  # type: ignore[assignment]
    count: int = _f(_CO, "count")  # type: ignore[assignment]
    elements: list[KeyedMass] = _f(_CO, "elements_kg")  # type: ignore[assignment]


_DR = views.DrilldownResponse


@strawberry.type(description="A number of a report, expanded into what it is made of.")
class Drilldown:
    scope: ReportScope = _f(_DR, "scope")  # type: ignore[assignment]
    period: ReportPeriod = _f(_DR, "period")  # type: ignore[assignment]
    measure: ReportMeasure = _f(_DR, "measure")  # type: ignore[assignment]
    fate: str | None = _f(_DR, "fate")  # type: ignore[assignment]
    by: str = _f(_DR, "by")  # type: ignore[assignment]
    total_kg: float = _f(_DR, "total_kg")  # type: ignore[assignment]
    rows: list[Contribution] = _f(_DR, "rows")  # type: ignore[assignment]


# -- flows and records ---------------------------------------------------------------------------------------


@strawberry.enum(description="Which Sankey of material flows.")
class FlowView(Enum):
    MATERIALS = value(
        "materials", description="Streams → material classes → fates (where treated mass ended)."
    )
    ROLES = value(
        "roles",
        description="Mass received by each group of parties (collectors, dismantlers, recyclers …) from each other.",
    )
    PARTIES = value("parties", description="Mass received by each party from each other party.")


_SN = views.SankeyNodeView


@strawberry.type(description="A node of a Sankey diagram.")
class SankeyNode:
    id: str = _f(_SN, "id")  # type: ignore[assignment]
    name: str = _f(_SN, "name")  # type: ignore[assignment]
    name_zh: str = _f(_SN, "name_zh")  # type: ignore[assignment]
    column: int = _f(_SN, "column")  # type: ignore[assignment]


_SL = views.SankeyLinkView


@strawberry.type(description="A link of a Sankey diagram: mass from one node to another.")
class SankeyLink:
    source: str = _f(_SL, "source")  # type: ignore[assignment]
    target: str = _f(_SL, "target")  # type: ignore[assignment]
    mass_kg: float = _f(_SL, "mass_kg")  # type: ignore[assignment]


_FL = views.FlowsResponse


@strawberry.type(description="Material flows of a scope over a period, as a Sankey diagram.")
class Flows:
    scope: ReportScope = _f(_FL, "scope")  # type: ignore[assignment]
    period: ReportPeriod = _f(_FL, "period")  # type: ignore[assignment]
    view: FlowView = _f(_FL, "view")  # type: ignore[assignment]
    nodes: list[SankeyNode] = _f(_FL, "nodes")  # type: ignore[assignment]
    links: list[SankeyLink] = _f(_FL, "links")  # type: ignore[assignment]
    dropped_kg: float = _f(_FL, "dropped_kg")  # type: ignore[assignment]


_FR = views.FlowRecordView


@strawberry.type(description="One flow record: what one event did to one object's mass at a site.")
class FlowRecord:
    event_id: str = _f(_FR, "event_id")  # type: ignore[assignment]
    event_time: datetime = _f(_FR, "event_time")  # type: ignore[assignment]
    site_id: str = _f(_FR, "site_id")  # type: ignore[assignment]
    party_id: str = _f(_FR, "party_id")  # type: ignore[assignment]
    direction: FlowDirection = _f(_FR, "direction")  # type: ignore[assignment]
    stage: str | None = _f(_FR, "stage")  # type: ignore[assignment]
    stream: StreamKind = _f(_FR, "stream")  # type: ignore[assignment]
    material: str = _f(_FR, "material")  # type: ignore[assignment]
    fate: str | None = _f(_FR, "fate")  # type: ignore[assignment]
    prior_fate: str | None = _f(_FR, "prior_fate")  # type: ignore[assignment]
    mass_kg: float = _f(_FR, "mass_kg")  # type: ignore[assignment]
    object_id: str = _f(_FR, "object_id")  # type: ignore[assignment]
    model_id: str | None = _f(_FR, "model_id")  # type: ignore[assignment]
    origin_site_id: str | None = _f(_FR, "origin_site_id")  # type: ignore[assignment]
    counterparty_id: str | None = _f(_FR, "counterparty_id")  # type: ignore[assignment]
    value_cny: int = _f(_FR, "value_cny")  # type: ignore[assignment]
    reverses: bool = _f(_FR, "reverses")  # type: ignore[assignment]

    @classmethod
    def of(cls, v: views.FlowRecordView) -> FlowRecord:
        fields = v.model_dump()
        fields["mass_kg"] = _kg(v.mass_kg)
        fields["stream"] = StreamKind(v.stream)
        fields["direction"] = FlowDirection(v.direction)
        return cls(**fields)


_RC = views.RecordsResponse


@strawberry.type(description="A page of the flow records behind a site's numbers, in event-time order.")
class FlowRecords:
    site_id: str = _f(_RC, "site_id")  # type: ignore[assignment]
    records: list[FlowRecord] = _f(_RC, "records")  # type: ignore[assignment]
    next_after: str | None = _f(_RC, "next_after")  # type: ignore[assignment]


# -- resolvers (the Query type's fields call these) -----------------------------------------------------------

SCOPE = "nation, province, party, site, producer or model."
ID = "Province code (44 or 440000), party, site, producer or model id; none for the nation."
STREAM = "Only this stream: weee, elv or battery."
FROM = "First month, YYYY-MM (China Standard Time)."
TO = "Last month, YYYY-MM, included."
BY = "How to split it: site, party, material, model or stream."
FATE = "For `final`: only this fate."
PRODUCER = "Only this producer's product lines."


def _queries(info: Info) -> ReportQueries:
    return rest.get_reports(context_of(info).services)


def _domain_stream(stream: StreamKind | None) -> Stream | None:
    return domain(stream, Stream) if stream else None


async def recovery_report(
    info: Info, scope: ReportScopeKind, id: str | None, stream: StreamKind | None, start: str, end: str
) -> RecoveryReport:
    body = await rest.recovery(
        _queries(info), start, end, domain(scope, DomainScopeKind), id, _domain_stream(stream)
    )
    return RecoveryReport.of(body)


async def producer_obligations(
    info: Info, start: str, end: str, producer_id: str | None
) -> ProducerObligations:
    return ProducerObligations.of(await rest.producers(_queries(info), start, end, producer_id))


async def site_balances(
    info: Info, scope: ReportScopeKind, id: str | None, stream: StreamKind | None, start: str, end: str
) -> SiteBalances:
    body = await rest.sites(
        _queries(info), start, end, domain(scope, DomainScopeKind), id, _domain_stream(stream)
    )
    return SiteBalances(
        scope=ReportScope.of(body.scope),
        period=ReportPeriod.of(body.period),
        sites=[SiteBalance.of(s) for s in body.sites],
    )


async def drilldown(
    info: Info,
    measure: ReportMeasure,
    scope: ReportScopeKind,
    id: str | None,
    stream: StreamKind | None,
    start: str,
    end: str,
    by: str,
    fate: str | None,
) -> Drilldown:
    body = await rest.drilldown(
        _queries(info),
        start,
        end,
        domain(measure, DomainMeasure),
        domain(scope, DomainScopeKind),
        id,
        _domain_stream(stream),
        by,
        fate,
    )
    return Drilldown(
        scope=ReportScope.of(body.scope),
        period=ReportPeriod.of(body.period),
        measure=ReportMeasure(body.measure),
        fate=body.fate,
        by=body.by,
        total_kg=_kg(body.total_kg),
        rows=[
            Contribution(
                key=r.key,
                name=r.name,
                name_zh=r.name_zh,
                mass_kg=_kg(r.mass_kg),
                count=r.count,
                elements=_keyed(r.elements_kg),
            )
            for r in body.rows
        ],
    )


async def flows(
    info: Info,
    scope: ReportScopeKind,
    id: str | None,
    stream: StreamKind | None,
    start: str,
    end: str,
    view: FlowView,
) -> Flows:
    body = await rest.flows(
        _queries(info),
        start,
        end,
        domain(scope, DomainScopeKind),
        id,
        _domain_stream(stream),
        view.name.lower(),
    )
    return Flows(
        scope=ReportScope.of(body.scope),
        period=ReportPeriod.of(body.period),
        view=FlowView(body.view),
        nodes=[SankeyNode(id=n.id, name=n.name, name_zh=n.name_zh, column=n.column) for n in body.nodes],
        links=[SankeyLink(source=x.source, target=x.target, mass_kg=_kg(x.mass_kg)) for x in body.links],
        dropped_kg=_kg(body.dropped_kg),
    )


@dataclass(frozen=True)
class RecordFilter:
    """The optional filters of ``records``, as REST takes them."""

    direction: Direction | None = None
    stage: str | None = None
    material: str | None = None
    fate: str | None = None
    stream: Stream | None = None
    model_id: str | None = None


async def records(
    info: Info, site_id: str, start: str, end: str, where: RecordFilter, limit: int, after: str | None
) -> FlowRecords:
    body = await rest.records(
        _queries(info),
        start,
        end,
        site_id,
        where.direction,
        where.stage,
        where.material,
        where.fate,
        where.stream,
        where.model_id,
        limit,
        after,
    )
    return FlowRecords(
        site_id=body.site_id, records=[FlowRecord.of(r) for r in body.records], next_after=body.next_after
    )


ScopeArg = Annotated[ReportScopeKind, strawberry.argument(description=SCOPE)]
IdArg = Annotated[str | None, strawberry.argument(description=ID)]
StreamArg = Annotated[StreamKind | None, strawberry.argument(description=STREAM)]
FromArg = Annotated[str, strawberry.argument(name="from", description=FROM)]
ToArg = Annotated[str, strawberry.argument(name="to", description=TO)]
