"""Report bodies: recovery against targets, producers' EPR, sites' mass balances, flows, drill-down.

Masses in kilograms, rates as fractions (0.87 is 87 %), values in yuan.  Every figure is computed from recorded
flows; ``docs/rates.md`` defines each one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from retrace.api.schemas.common import MassKgOut
from retrace.app.reporting import EprReport
from retrace.domain.changes import FlowRecord
from retrace.domain.model import Stream
from retrace.domain.rates.balance import PENDING, Figures
from retrace.domain.rates.report import (
    Contribution,
    EprLine,
    EprTotals,
    MasterData,
    Period,
    RecoveryReport,
    Sankey,
    Scope,
    SiteLine,
    TargetCheck,
)
from retrace.domain.rates.targets import UNITS, Catalogue, Quantity, Target

_KG = Decimal(1000)
REPORTED_ELEMENTS = ("lithium", "nickel", "cobalt", "manganese", "copper")


def kg(grams: int | Fraction) -> Decimal:
    if isinstance(grams, Fraction):
        return (Decimal(grams.numerator) / Decimal(grams.denominator) / _KG).quantize(Decimal("0.001"))
    return Decimal(grams) / _KG


def num(value: Fraction | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


class ScopeView(BaseModel):
    kind: str = Field(description="nation, province, party, site, producer or model.")
    id: str | None = Field(description="Province code, party, site or model id; null for the nation.")
    stream: Stream | None = Field(description="The one stream reported on, or null for all.")
    name: str = Field(description="English name of the scope.")
    name_zh: str = Field(description="Chinese name of the scope.")


class PeriodView(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="First month (YYYY-MM), China Standard Time.")
    to: str = Field(description="Last month (YYYY-MM), included.")
    months: int = Field(description="Months in the period.")

    @classmethod
    def of(cls, period: Period) -> PeriodView:
        return cls.model_validate({"from": period.start, "to": period.end, "months": period.months})


class ElementView(BaseModel):
    element: str = Field(description="lithium, nickel, cobalt, manganese, copper (or electrode_powder).")
    input_kg: MassKgOut = Field(description="Mass of the element in what entered treatment.")
    recovered_kg: MassKgOut = Field(description="Mass of the element in recovered products (recycling fate).")
    rate: float | None = Field(description="recovered / input; null when nothing entered.")


class FiguresView(BaseModel):
    """The mass balance of a scope: what entered treatment and where it ended."""

    input_kg: MassKgOut = Field(
        description="Mass consumed by treatment that did not come out of treatment here."
    )
    transfer_kg: MassKgOut = Field(
        description="Traction packs released from vehicles (to the battery stream)."
    )
    pending_kg: MassKgOut = Field(description="Outputs still awaiting treatment (items without a fate).")
    treated_kg: MassKgOut = Field(description="input − transfer − pending: the denominator of every rate.")
    by_fate_kg: dict[str, MassKgOut] = Field(
        description="Final mass by fate: reuse, remanufacture, recycling, energy_recovery, disposal, unknown."
    )
    loss_kg: MassKgOut = Field(description="treated − Σ final: mass that left as no recorded output.")
    reagents_kg: MassKgOut = Field(
        description="Reagents (acid, water, soda ash) declared by transformations and held in the final outputs: "
        "left out of every mass above and of the rates (docs/rates.md § 2.3)."
    )
    recycled_kg: MassKgOut = Field(description="reuse + remanufacture + recycling.")
    recovered_kg: MassKgOut = Field(description="recycled + energy recovery.")
    recycling_rate: float | None = Field(
        description="recycled / treated (ISO 22628 / EU ELV reuse + recycling)."
    )
    recovery_rate: float | None = Field(description="recovered / treated (reuse + recovery).")
    unknown_share: float | None = Field(
        description="unknown fate / treated: mass that left the traced chain."
    )
    units_treated: int = Field(description="Units entering treatment (dismantled or consumed whole).")
    collected_kg: MassKgOut = Field(description="Mass collected: taken back from owners or producers.")
    units_collected: int = Field(description="Units collected: taken back from owners or producers.")
    placed_on_market_kg: MassKgOut = Field(
        description="Mass placed on the market (commissioned by producers)."
    )
    units_placed_on_market: int = Field(description="Units placed on the market.")
    remanufacturing_value_cny: int = Field(description="Value recorded on remanufacture events, yuan.")
    elements: list[ElementView] = Field(
        description="Recovery of lithium, nickel, cobalt, manganese and copper."
    )

    @classmethod
    def of(cls, f: Figures, elements: tuple[str, ...] = REPORTED_ELEMENTS) -> FiguresView:
        return cls(
            input_kg=kg(f.input.mass_g),
            transfer_kg=kg(f.transfer.mass_g),
            pending_kg=kg(f.pending.mass_g),
            treated_kg=kg(f.treated_g),
            by_fate_kg={fate: kg(a.mass_g) for fate, a in sorted(f.final.items()) if fate != PENDING},
            loss_kg=kg(f.loss_g),
            reagents_kg=kg(f.reagents.mass_g),
            recycled_kg=kg(f.recycled_g),
            recovered_kg=kg(f.recovered_g),
            recycling_rate=num(f.recycling_rate),
            recovery_rate=num(f.recovery_rate),
            unknown_share=num(f.unknown_share),
            units_treated=f.units_treated,
            collected_kg=kg(f.collected.mass_g),
            units_collected=f.collected.count,
            placed_on_market_kg=kg(f.placed.mass_g),
            units_placed_on_market=f.placed.count,
            remanufacturing_value_cny=f.remanufacturing_value_cny,
            elements=[
                ElementView(
                    element=e,
                    input_kg=kg(f.elements[e].input_g),
                    recovered_kg=kg(f.elements[e].recovered_g),
                    rate=num(f.elements[e].rate),
                )
                for e in elements
            ],
        )


class StreamFiguresView(FiguresView):
    stream: Stream = Field(description="The stream.")


class MaterialView(BaseModel):
    stream: Stream = Field(description="Stream the material came from.")
    material: str = Field(description="Material (or product category for parts).")
    fate: str = Field(description="Fate of the final mass.")
    mass_kg: MassKgOut = Field(description="Final mass of this material with this fate.")


class TargetView(BaseModel):
    id: str = Field(description="Stable id of the target (retrace/targets/targets.csv).")
    jurisdiction: str = Field(description="CN (China) or EU (European Union).")
    instrument: str = Field(description="The plan, regulation or norm.")
    stream: str = Field(description="weee, elv, battery; empty for all streams.")
    metric: str = Field(description="The metric as the source names it.")
    measure: str | None = Field(description="The platform measure that checks it; null when not measurable.")
    subject: str = Field(description="scope, party, model or weee_category:<code>.")
    scope: str = Field(description="The scope as the source states it.")
    value: float = Field(description="The target, in `unit`.")
    unit: str = Field(description="%, 10 kt, 100 Mt, 100 million units, 100 million CNY.")
    applies_from: date = Field(description="First day the target is in force.")
    applies_to: date | None = Field(description="In force until (null: open).")
    status: str = Field(
        description="ok, or verify: from a secondary source, not yet checked against the primary text."
    )
    source: str = Field(description="Source file and row.")
    name: str = Field(description="English name of the target.")
    name_zh: str = Field(description="Chinese name of the target.")
    note: str = Field(description="Assumptions and reasons.")

    @classmethod
    def of(cls, t: Target) -> TargetView:
        return cls(
            id=t.id,
            jurisdiction=t.jurisdiction,
            instrument=t.instrument,
            stream=t.stream,
            metric=t.metric,
            measure=t.measure,
            subject=t.subject,
            scope=t.scope,
            value=float(t.value),
            unit=t.unit,
            applies_from=t.applies_from,
            applies_to=t.applies_to,
            status=t.status.value,
            source=t.source,
            name=t.name_en,
            name_zh=t.name_zh,
            note=t.note,
        )


def _in_unit(t: Target, base: Fraction | None) -> float | None:
    if base is None:
        return None
    factor = UNITS[t.unit][1]
    return float(base / factor)


class TargetCheckView(BaseModel):
    target: TargetView = Field(description="The target checked, with its source.")
    subject_kind: str = Field(description="scope, party, model or weee_category.")
    subject_id: str | None = Field(
        description="The party, model or category checked (null: the report's scope)."
    )
    subject_name: str = Field(description="Name of the scope, party, model or category checked.")
    subject_name_zh: str = Field(description="Chinese name of the scope, party, model or category checked.")
    measured: float | None = Field(
        description="The measured value in the target's unit (quantities: annualised); null when not measurable."
    )
    traced: float | None = Field(
        description="Quantities: what was traced in the period, in base units (kg, units or yuan)."
    )
    numerator: float | None = Field(description="Rates: the numerator (kg; units for EPR).")
    denominator: float | None = Field(description="Rates: the denominator (kg; units for EPR).")
    gap: float | None = Field(description="measured − target, in the target's unit (negative: short of it).")
    share_of_target: float | None = Field(description="Quantities: measured / target.")
    met: bool | None = Field(description="Whether the target is met; null when not measured.")
    applicable: bool = Field(
        description="False: the target does not concern this scope (EPR rates for a province, site or a party "
        "that is not a producer; a stream the scope recorded no flows of); `note` says why, nothing is measured."
    )
    note: str = Field(description="Why it is not measured or not applicable, if it is not.")

    @classmethod
    def of(cls, c: TargetCheck) -> TargetCheckView:
        t = c.target
        m = c.measured
        in_kg = t.quantity is Quantity.MASS or (t.quantity is Quantity.RATE and t.measure != "epr_rate")

        def base(x: int | None) -> float | None:
            if x is None:
                return None
            return float(kg(x)) if in_kg else float(x)

        traced = None
        if m is not None and m.traced is not None:
            traced = float(kg(m.traced)) if t.quantity is Quantity.MASS else float(m.traced)
        return cls(
            target=TargetView.of(t),
            subject_kind=c.subject_kind,
            subject_id=c.subject_id,
            subject_name=c.subject_name,
            subject_name_zh=c.subject_name_zh,
            measured=_in_unit(t, c.value),
            traced=traced,
            numerator=base(m.numerator) if m else None,
            denominator=base(m.denominator) if m else None,
            gap=_in_unit(t, c.gap),
            share_of_target=num(c.share_of_target, 12),
            met=c.met,
            applicable=c.applicable,
            note=c.note,
        )


class EprTotalsView(BaseModel):
    placed_on_market_units: int = Field(
        description="Units placed on the market in the period (not components)."
    )
    placed_on_market_kg: MassKgOut = Field(description="Mass of the units placed on the market.")
    collected_units: int = Field(description="Units collected in the period.")
    treated_units: int = Field(description="Units treated in the period.")
    properly_treated_units: int = Field(description="Units treated by a party licensed for the stream.")
    rate: float | None = Field(
        description="Properly treated units of product lines placed on the market / units placed on the market."
    )
    target_id: str | None = Field(
        description="The EPR target held to: the one in force on the period's last day (retrace/targets)."
    )
    target: float | None = Field(description="Its value as a fraction (0.5 is 50 %); null without one.")
    gap: float | None = Field(
        description="rate − target, as a fraction (negative: short of it); null without a rate or target."
    )

    @classmethod
    def of(cls, t: EprTotals) -> EprTotalsView:
        return cls(
            placed_on_market_units=t.placed_units,
            placed_on_market_kg=kg(t.placed_g),
            collected_units=t.collected_units,
            treated_units=t.treated_units,
            properly_treated_units=t.properly_treated_units,
            rate=num(t.rate),
            target_id=t.target.id if t.target else None,
            target=num(t.target.base_value) if t.target else None,
            gap=num(t.gap),
        )


class RecoveryReportResponse(BaseModel):
    scope: ScopeView = Field(description="What the report covers.")
    period: PeriodView = Field(description="The months it covers.")
    basis: str = Field(
        description="sites (treatments chained at a set of sites) or models (first treatment)."
    )
    targets_version: str = Field(description="Version (content hash) of the targets data used.")
    aggregate_rows: int = Field(description="Flow-aggregate rows the figures were summed from.")
    figures: FiguresView = Field(description="The mass balance and rates of the whole scope.")
    streams: list[StreamFiguresView] = Field(description="The same, stream by stream.")
    materials: list[MaterialView] = Field(description="Final mass by stream, material and fate.")
    indicator_classes_kg: dict[str, MassKgOut] = Field(
        description="Recycled mass by indicator class (ferrous, nonferrous, plastics …)."
    )
    checks: list[TargetCheckView] = Field(
        description="Every target in force for the scope and period, checked."
    )
    epr: EprTotalsView | None = Field(
        description="EPR figures of the producers' models of the scope (the nation: all; a producer, model, or party "
        "that is a producer: its own); null for a province, a site, a party that is not a producer, or no flows."
    )

    @classmethod
    def of(cls, r: RecoveryReport) -> RecoveryReportResponse:
        return cls(
            scope=_scope_view(r.scope, r.name, r.name_zh),
            period=PeriodView.of(r.period),
            basis=r.basis.value,
            targets_version=r.targets_version,
            aggregate_rows=r.rows,
            figures=FiguresView.of(r.figures),
            streams=[StreamFiguresView(stream=s, **FiguresView.of(f).model_dump()) for s, f in r.streams],
            materials=[
                MaterialView(stream=m.stream, material=m.material, fate=m.fate, mass_kg=kg(m.mass_g))
                for m in r.materials
            ],
            indicator_classes_kg={k: kg(v) for k, v in r.classes},
            checks=[TargetCheckView.of(c) for c in r.checks],
            epr=EprTotalsView.of(r.epr) if r.epr else None,
        )


def _scope_view(scope: Scope, name: str, name_zh: str) -> ScopeView:
    return ScopeView(kind=scope.kind.value, id=scope.id, stream=scope.stream, name=name, name_zh=name_zh)


# -- EPR ------------------------------------------------------------------------------------------------------


class EprLineView(BaseModel):
    producer_id: str = Field(description="The producer (party id) of the product line.")
    model_id: str = Field(description="The product line (model).")
    stream: Stream = Field(description="Stream the product line belongs to.")
    category: str = Field(description="Product category of the model (retrace/targets/categories.csv).")
    epr_group: str = Field(description="EPR product group (eee, vehicle, traction_battery).")
    component: bool = Field(description="A component of other products (not counted on its own in totals).")
    placed_on_market_units: int = Field(description="Units placed on the market in the period.")
    placed_on_market_kg: MassKgOut = Field(description="Mass of the units placed on the market.")
    collected_units: int = Field(description="Units collected in the period.")
    collected_kg: MassKgOut = Field(description="Mass of the units collected.")
    treated_units: int = Field(description="Units treated in the period.")
    treated_kg: MassKgOut = Field(description="Mass of the units treated.")
    properly_treated_units: int = Field(
        description="Units treated by a party licensed for the stream that month."
    )
    properly_treated_kg: MassKgOut = Field(description="Mass of the units properly treated.")
    rate: float | None = Field(description="properly treated / placed on the market (units).")
    target_id: str | None = Field(
        description="The EPR target the line is held to: the one for its stream in force on the period's last day."
    )
    target: float | None = Field(description="Its value as a fraction (0.5 is 50 %); null without one.")
    gap: float | None = Field(
        description="rate − target, as a fraction (negative: short of it); null without a rate or target."
    )

    @classmethod
    def of(cls, x: EprLine) -> EprLineView:
        return cls(
            producer_id=x.producer_id,
            model_id=x.model_id,
            stream=x.stream,
            category=x.category,
            epr_group=x.epr_group,
            component=x.component,
            placed_on_market_units=x.placed.count,
            placed_on_market_kg=kg(x.placed.mass_g),
            collected_units=x.collected.count,
            collected_kg=kg(x.collected.mass_g),
            treated_units=x.treated.count,
            treated_kg=kg(x.treated.mass_g),
            properly_treated_units=x.properly_treated.count,
            properly_treated_kg=kg(x.properly_treated.mass_g),
            rate=num(x.rate),
            target_id=x.target.id if x.target else None,
            target=num(x.target.base_value) if x.target else None,
            gap=num(x.gap),
        )


class ProducerTotalsView(EprTotalsView):
    producer_id: str = Field(description="The producer.")
    name: str = Field(description="Its name.")
    name_zh: str = Field(description="Its Chinese name.")


class EprResponse(BaseModel):
    period: PeriodView = Field(description="The months it covers.")
    producer_id: str | None = Field(description="The producer asked for, or null for all.")
    lines: list[EprLineView] = Field(description="Every product line with flows in the period.")
    producers: list[ProducerTotalsView] = Field(description="Totals per producer (components left out).")
    groups: dict[str, EprTotalsView] = Field(description="Totals per EPR product group.")
    total: EprTotalsView = Field(description="Totals over all producers (components left out).")
    targets: list[TargetView] = Field(description="EPR targets in force in the period.")

    @classmethod
    def of(cls, r: EprReport, names: MasterData, targets: list[Target]) -> EprResponse:
        return cls(
            period=PeriodView.of(r.period),
            producer_id=r.producer_id,
            lines=[EprLineView.of(x) for x in r.lines],
            producers=[
                ProducerTotalsView(
                    producer_id=p,
                    name=names.party_name(p)[0],
                    name_zh=names.party_name(p)[1],
                    **EprTotalsView.of(t).model_dump(),
                )
                for p, t in r.by_producer.items()
            ],
            groups={g: EprTotalsView.of(t) for g, t in r.by_group.items()},
            total=EprTotalsView.of(r.total),
            targets=[TargetView.of(t) for t in targets],
        )


# -- sites, flows, drill-down, records --------------------------------------------------------------------------


class SiteBalanceView(BaseModel):
    site_id: str = Field(description="Id of the site this balance is of.")
    name: str = Field(description="English name of the site.")
    name_zh: str = Field(description="Chinese name of the site.")
    party_id: str = Field(description="The party that operates it.")
    party_name: str = Field(description="English name of the party operating the site.")
    party_name_zh: str = Field(description="Chinese name of the party operating the site.")
    region: str = Field(description="GB/T 2260 region code.")
    received_kg: MassKgOut = Field(description="Mass received in the period.")
    shipped_kg: MassKgOut = Field(description="Mass shipped in the period.")
    figures: FiguresView = Field(description="The site's own process: what came in, what it made of it.")
    loss_share: float | None = Field(
        description="Process loss as a share of the treated mass (loss / treated)."
    )
    flags: list[str] = Field(
        description="What does not add up: high_yield, output_exceeds_input, copper_out_exceeds_in, unknown_fate, "
        "unlicensed_treatment."
    )

    @classmethod
    def of(cls, line: SiteLine, names: MasterData) -> SiteBalanceView:
        f = line.figures
        name, name_zh = names.site_name(line.site_id)
        party, party_zh = names.party_name(line.party_id)
        return cls(
            site_id=line.site_id,
            name=name,
            name_zh=name_zh,
            party_id=line.party_id,
            party_name=party,
            party_name_zh=party_zh,
            region=line.region,
            received_kg=kg(line.received_g),
            shipped_kg=kg(line.shipped_g),
            figures=FiguresView.of(f),
            loss_share=num(Fraction(f.loss_g, f.treated_g) if f.treated_g > 0 else None),
            flags=[flag.value for flag in line.flags],
        )


class SitesResponse(BaseModel):
    scope: ScopeView = Field(description="What the list covers.")
    period: PeriodView = Field(description="The months it covers.")
    sites: list[SiteBalanceView] = Field(description="Every site with flows in the period.")


class SankeyNodeView(BaseModel):
    id: str = Field(description="Node id (stream:…, class:…, fate:…, role:…, party:…).")
    name: str = Field(description="Label of the node in English.")
    name_zh: str = Field(description="Label of the node in Chinese.")
    column: int = Field(description="Column, left to right.")


class SankeyLinkView(BaseModel):
    source: str = Field(description="Id of the node the link leaves.")
    target: str = Field(description="Id of the node the link enters.")
    mass_kg: MassKgOut = Field(description="Mass along the link.")


class FlowsResponse(BaseModel):
    scope: ScopeView = Field(description="What the flows cover.")
    period: PeriodView = Field(description="The calendar months the flows cover.")
    view: str = Field(description="materials, roles or parties.")
    nodes: list[SankeyNodeView] = Field(description="Nodes of the diagram, column by column.")
    links: list[SankeyLinkView] = Field(description="Links (positive masses only).")
    dropped_kg: MassKgOut = Field(
        description="Negative contributions left out (flows across the period's edges)."
    )

    @classmethod
    def of(cls, scope: ScopeView, period: Period, view: str, sankey: Sankey) -> FlowsResponse:
        return cls(
            scope=scope,
            period=PeriodView.of(period),
            view=view,
            nodes=[
                SankeyNodeView(id=n.id, name=n.name, name_zh=n.name_zh, column=n.column) for n in sankey.nodes
            ],
            links=[
                SankeyLinkView(source=x.source, target=x.target, mass_kg=kg(x.mass_g)) for x in sankey.links
            ],
            dropped_kg=kg(sankey.dropped_g),
        )


class ContributionView(BaseModel):
    key: str = Field(description="The site, party, material, model or stream.")
    name: str = Field(description="Name of the site, party, material, model or stream.")
    name_zh: str = Field(description="Chinese name of the site, party, material, model or stream.")
    mass_kg: MassKgOut = Field(description="Its contribution (signed).")
    count: int = Field(description="Records (units) it contributes.")
    elements_kg: dict[str, MassKgOut] = Field(description="Element content of the contribution.")

    @classmethod
    def of(cls, c: Contribution) -> ContributionView:
        return cls(
            key=c.key,
            name=c.name,
            name_zh=c.name_zh,
            mass_kg=kg(c.mass_g),
            count=c.count,
            elements_kg={e: kg(g) for e, g in sorted(c.elements.items()) if g},
        )


class DrilldownResponse(BaseModel):
    scope: ScopeView = Field(description="The scope of the number.")
    period: PeriodView = Field(description="The calendar months the number covers.")
    measure: str = Field(description="The number expanded.")
    fate: str | None = Field(description="The fate, for `final`.")
    by: str = Field(description="site, party, material, model or stream.")
    total_kg: MassKgOut = Field(description="The number itself (the contributions add up to it).")
    rows: list[ContributionView] = Field(description="What each contributed, largest first.")


class FlowRecordView(BaseModel):
    event_id: str = Field(description="The event that caused it.")
    event_time: datetime = Field(description="When the event happened (its event time).")
    site_id: str = Field(description="The site where the mass moved.")
    party_id: str = Field(description="The party that recorded the event.")
    direction: str = Field(
        description="commissioned, received, shipped, consumed, produced, remanufactured, disposed."
    )
    stage: str | None = Field(
        description="What it is in the rates (entry, intermediate, primary, collected …)."
    )
    stream: Stream = Field(description="Stream the mass belongs to.")
    material: str = Field(description="Material or category.")
    fate: str | None = Field(description="Fate of the mass (null: none yet).")
    prior_fate: str | None = Field(description="Dispose or remanufacture: the fate it replaced.")
    mass_kg: MassKgOut = Field(description="Mass (negative: a correction's reversal).")
    object_id: str = Field(description="The traced object (item or lot) the mass belongs to.")
    model_id: str | None = Field(description="The product model the mass counts for.")
    origin_site_id: str | None = Field(description="Where the object came out of an earlier treatment.")
    counterparty_id: str | None = Field(description="Shipments: receiver; receipts: sender.")
    value_cny: int = Field(description="Recorded value (remanufacture), yuan.")
    reverses: bool = Field(description="Written by a correction.")

    @classmethod
    def of(cls, f: FlowRecord) -> FlowRecordView:
        return cls(
            event_id=f.event_id,
            event_time=f.event_time,
            site_id=f.site_id,
            party_id=f.party_id,
            direction=f.direction.value,
            stage=f.stage.value if f.stage else None,
            stream=f.stream,
            material=f.material,
            fate=f.fate,
            prior_fate=f.prior_fate,
            mass_kg=kg(f.mass_g),
            object_id=f.object_id,
            model_id=f.model_id,
            origin_site_id=f.origin_site_id,
            counterparty_id=f.counterparty_id,
            value_cny=f.value_cny,
            reverses=f.reverses,
        )


class RecordsResponse(BaseModel):
    site_id: str = Field(description="The site whose records these are.")
    records: list[FlowRecordView] = Field(description="Flow records, by event time.")
    next_after: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class TargetsResponse(BaseModel):
    version: str = Field(description="Version (content hash) of the targets data.")
    targets: list[TargetView] = Field(description="Every target.")

    @classmethod
    def of(cls, catalogue: Catalogue) -> TargetsResponse:
        return cls(version=catalogue.version, targets=[TargetView.of(t) for t in catalogue.targets])
