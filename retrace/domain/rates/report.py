"""Reports: the measures of a scope and period, the targets that apply and the gap to each, producers' EPR, the
sites' mass balances, a Sankey of material flows, and the drill-down from any number to where it came from.

Pure: everything comes in as flow aggregates (``aggregates.FlowAggregate``), master data and the target catalogue;
the application layer fetches them (``retrace.app.reporting``).  Definitions are in ``docs/rates.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from retrace.domain import errors as codes
from retrace.domain.changes import Direction, Stage
from retrace.domain.errors import InvalidInput
from retrace.domain.model import PROVINCES, Fate, Licence, Party, ProductModel, Role, Site, Stream
from retrace.domain.rates.aggregates import (
    FlowAggregate,
    add_months,
    month_start,
    months_between,
    next_month,
    parse_month,
)
from retrace.domain.rates.balance import (
    PENDING,
    RECOVERED_FATES,
    RECYCLED_FATES,
    Amount,
    Balance,
    Bucket,
    ElementFigures,
    Figures,
    model_balance,
    ratio,
    site_balance,
)
from retrace.domain.rates.targets import Catalogue, Quantity, Target

# -- scope and period -----------------------------------------------------------------------------------------


class ScopeKind(StrEnum):
    NATION = "nation"
    PROVINCE = "province"
    PARTY = "party"
    SITE = "site"
    PRODUCER = "producer"
    MODEL = "model"


class Basis(StrEnum):
    SITES = "sites"  # the treatments at a set of sites, chained
    MODELS = "models"  # the first treatment of the units of a set of models


# Intermediate products whose treatment is a recycling process of its own (refining black mass into salts).
PROCESS_INPUTS = frozenset({"black_mass"})

SITE_KINDS = frozenset({ScopeKind.NATION, ScopeKind.PROVINCE, ScopeKind.PARTY, ScopeKind.SITE})


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    id: str | None = (
        None  # province: 2 digits (44) or a GB/T 2260 code (440000); else the party, site or model
    )
    stream: Stream | None = None

    def __post_init__(self) -> None:
        if self.kind is ScopeKind.NATION:
            if self.id:
                raise InvalidInput(
                    "the nation takes no id",
                    code=codes.VALIDATION_ERROR,
                    message_zh="全国范围不需要编号",
                    field="id",
                )
            return
        if not self.id:
            raise InvalidInput(
                f"a {self.kind.value} scope needs an id",
                code=codes.VALIDATION_ERROR,
                message_zh="该范围需要编号",
                field="id",
            )
        if self.kind is ScopeKind.PROVINCE and self.id[:2] not in PROVINCES:
            raise InvalidInput(
                f"{self.id!r} is not a province code (GB/T 2260: 44 or 440000)",
                code=codes.VALIDATION_ERROR,
                message_zh="省级行政区划代码错误",
                field="id",
            )

    @property
    def basis(self) -> Basis:
        return Basis.SITES if self.kind in SITE_KINDS else Basis.MODELS


@dataclass(frozen=True)
class Period:
    """Calendar months ``start`` to ``end``, both included (China Standard Time)."""

    start: str
    end: str

    def __post_init__(self) -> None:
        parse_month(self.start, "from")
        parse_month(self.end, "to")
        if self.end < self.start:
            raise InvalidInput(
                "the period ends before it starts",
                code=codes.VALIDATION_ERROR,
                message_zh="结束月份早于开始月份",
                field="to",
            )
        if self.months > 600:
            raise InvalidInput(
                "a period is at most 50 years",
                code=codes.VALIDATION_ERROR,
                message_zh="期间最长 50 年",
                field="from",
            )

    @property
    def months(self) -> int:
        return months_between(self.start, self.end)

    def contains(self, month: str) -> bool:
        return self.start <= month <= self.end

    @property
    def start_instant(self) -> datetime:
        return month_start(self.start)

    @property
    def end_instant(self) -> datetime:
        """The first instant after the period."""
        return month_start(next_month(self.end))

    @property
    def first_day(self) -> date:
        return self.start_instant.date()

    @property
    def last_day(self) -> date:
        return self.end_instant.date() - timedelta(days=1)

    def annualised(self, value: Fraction) -> Fraction:
        return value * 12 / self.months

    def shifted(self, months: int) -> Period:
        return Period(add_months(self.start, months), add_months(self.end, months))


@dataclass(frozen=True)
class MasterData:
    parties: Mapping[str, Party] = field(default_factory=dict)
    sites: Mapping[str, Site] = field(default_factory=dict)
    models: Mapping[str, ProductModel] = field(default_factory=dict)
    licences: Mapping[str, Sequence[Licence]] = field(default_factory=dict)

    def site_name(self, site_id: str) -> tuple[str, str]:
        site = self.sites.get(site_id)
        return (site.name, site.name_zh or site.name) if site else (site_id, site_id)

    def party_name(self, party_id: str) -> tuple[str, str]:
        party = self.parties.get(party_id)
        return (party.name, party.name_zh or party.name) if party else (party_id, party_id)

    def province_of(self, site_id: str) -> str | None:
        site = self.sites.get(site_id)
        return site.region.code[:2] if site else None

    def licensed(self, party_id: str, stream: Stream, month: str) -> bool:
        """Whether the party held a licence for the stream on some day of the month."""
        first = month_start(month).date()
        last = month_start(next_month(month)).date() - timedelta(days=1)
        return any(
            stream in lic.streams and lic.valid_from <= last and lic.valid_to >= first
            for lic in self.licences.get(party_id, ())
        )


@dataclass(frozen=True)
class Selection:
    """What a scope covers: a set of sites (None: all) or a set of models, and its display name."""

    basis: Basis
    sites: frozenset[str] | None
    models: frozenset[str] | None
    name: str
    name_zh: str

    def site_filter(self) -> Callable[[str], bool] | None:
        return None if self.sites is None else self.sites.__contains__


def select(scope: Scope, master: MasterData) -> Selection:
    kind, key = scope.kind, scope.id or ""
    if kind is ScopeKind.NATION:
        return Selection(Basis.SITES, None, None, "China", "全国")
    if kind is ScopeKind.PROVINCE:
        code = key[:2]
        sites = frozenset(s.id for s in master.sites.values() if s.region.code[:2] == code)
        return Selection(Basis.SITES, sites, None, f"Province {code}0000", PROVINCES[code])
    if kind is ScopeKind.PARTY:
        sites = frozenset(s.id for s in master.sites.values() if s.party_id == key)
        return Selection(Basis.SITES, sites, None, *master.party_name(key))
    if kind is ScopeKind.SITE:
        return Selection(Basis.SITES, frozenset({key}), None, *master.site_name(key))
    if kind is ScopeKind.PRODUCER:
        models = frozenset(m.id for m in master.models.values() if m.producer_id == key)
        return Selection(Basis.MODELS, None, models, *master.party_name(key))
    model = master.models.get(key)
    return Selection(
        Basis.MODELS, None, frozenset({key}), model.name if model else key, model.name if model else key
    )


def _streams(stream: Stream | str | None) -> Callable[[Stream], bool] | None:
    if not stream:
        return None
    return lambda s: s.value == str(stream)


def balance_of(
    rows: Sequence[FlowAggregate],
    selection: Selection,
    period: Period,
    stream: Stream | str | None = None,
) -> Balance:
    if selection.basis is Basis.SITES:
        return site_balance(rows, selection.site_filter(), period.contains, _streams(stream))
    models = selection.models or frozenset()
    return model_balance(rows, models.__contains__, None, _streams(stream))


# -- measures ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """A measure's value for one subject; quantities also give what was traced in the period."""

    value: Fraction | None
    numerator: int | None = None
    denominator: int | None = None
    traced: int | None = None  # quantities: in the period, before annualising


def class_mass(
    balance: Balance, catalogue: Catalogue, indicator_class: str, fates: Iterable[str]
) -> Fraction:
    """Final mass of the fates given that belongs to an indicator class (``all``: every class, as in the mass
    rates: without reagents).  A class share is a share of the physical mass of a material (the lithium in lithium
    carbonate, the nickel in nickel sulfate hexahydrate), so a class is counted on physical masses: final mass and
    the reagents it holds."""
    wanted = set(fates)
    total = Fraction(0)
    for part, amount in balance.parts.items():
        if part.fate not in wanted:
            continue
        if part.bucket is not Bucket.FINAL and (
            part.bucket is not Bucket.REAGENT or indicator_class == "all"
        ):
            continue
        if indicator_class == "all":
            total += amount.mass_g
            continue
        for share in catalogue.shares(part.material):
            if share.indicator_class == indicator_class:
                total += amount.mass_g * share.share
    return total


def measure(
    name: str,
    balance: Balance,
    figures: Figures,
    catalogue: Catalogue,
    period: Period,
    epr: EprTotals | None = None,
) -> Measured | None:
    """The value of the measure ``name`` (as the targets data names it); None if the platform has no such
    measure.  Quantities are annualised (traced × 12 / months in the period)."""
    kind, _, arg = name.partition(":")
    if kind == "recycling_rate":
        return Measured(figures.recycling_rate, figures.recycled_g, figures.treated_g)
    if kind == "recovery_rate":
        return Measured(figures.recovery_rate, figures.recovered_g, figures.treated_g)
    if kind == "element_recovery":
        element = figures.elements.get(arg)
        if element is None:
            return None
        return Measured(element.rate, element.recovered_g, element.input_g)
    if kind in ("recovered_mass", "utilised_mass"):
        fates = RECYCLED_FATES if arg == "all" else {Fate.RECYCLING.value}
        if kind == "utilised_mass":
            fates = RECOVERED_FATES
        traced = class_mass(balance, catalogue, arg, fates)
        return Measured(period.annualised(traced), traced=int(traced))
    if kind == "units_treated":
        return Measured(period.annualised(Fraction(figures.units_treated)), traced=figures.units_treated)
    if kind == "remanufacturing_value":
        value = figures.remanufacturing_value_cny
        return Measured(period.annualised(Fraction(value)), traced=value)
    if kind == "collection_rate":
        return Measured(
            ratio(figures.collected.mass_g, figures.placed.mass_g),
            figures.collected.mass_g,
            figures.placed.mass_g,
        )
    if kind == "epr_rate":
        if epr is None:
            return Measured(None)
        return Measured(epr.rate, epr.properly_treated_units, epr.placed_units)
    return None


# -- target checks -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetCheck:
    target: Target
    subject_kind: str  # scope, party, model, weee_category
    subject_id: str | None
    subject_name: str
    subject_name_zh: str
    measured: Measured | None  # None: not measured (``note`` says why)
    note: str = ""
    # False: the target does not concern the scope (an EPR rate for a site, an ELV rate for an appliance maker);
    # ``note`` says why and nothing is measured.
    applicable: bool = True

    @property
    def value(self) -> Fraction | None:
        return self.measured.value if self.measured else None

    @property
    def gap(self) -> Fraction | None:
        """Measured minus target, in the target's base unit (negative: short of it)."""
        return None if self.value is None else self.value - self.target.base_value

    @property
    def share_of_target(self) -> Fraction | None:
        if self.value is None or self.target.quantity is Quantity.RATE or not self.target.base_value:
            return None
        return self.value / self.target.base_value

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.value >= self.target.base_value


def applicable(catalogue: Catalogue, period: Period, stream: Stream | None) -> list[Target]:
    """Targets in force at some time in the period, for the stream (or all streams) of the report."""
    return [
        t
        for t in catalogue.targets
        if t.in_force(period.first_day, period.last_day)
        and (stream is None or t.stream in ("", stream.value))
    ]


@dataclass
class _Context:
    rows: Sequence[FlowAggregate]
    scope: Scope
    selection: Selection
    period: Period
    master: MasterData
    catalogue: Catalogue
    epr_rows: Sequence[FlowAggregate]
    cache: dict[tuple[object, ...], Balance] = field(default_factory=dict)

    def balance(self, key: tuple[object, ...], make: Callable[[], Balance]) -> Balance:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def scope_balance(self, stream: str) -> Balance:
        return self.balance(
            ("scope", stream), lambda: balance_of(self.rows, self.selection, self.period, stream)
        )

    def party_balance(self, party_id: str, stream: str) -> Balance:
        sites = frozenset(s.id for s in self.master.sites.values() if s.party_id == party_id)
        return self.balance(
            ("party", party_id, stream),
            lambda: site_balance(self.rows, sites.__contains__, self.period.contains, _streams(stream)),
        )

    def models_balance(self, key: str, models: frozenset[str], stream: str) -> Balance:
        sites = self.selection.site_filter()
        return self.balance(
            ("models", key, stream),
            lambda: model_balance(self.rows, models.__contains__, sites, _streams(stream)),
        )

    def entering_models(self, stream: str) -> list[str]:
        """Models whose units entered treatment in the scope (the subjects of per-model targets)."""
        allowed = self.selection.models
        sites = self.selection.sites
        found = {
            r.model_id
            for r in self.rows
            if r.direction is Direction.CONSUMED
            and r.stage is Stage.ENTRY
            and r.model_id
            and (allowed is None or r.model_id in allowed)
            and (sites is None or r.site_id in sites)
            and (not stream or r.stream.value == stream)
        }
        return sorted(m for m in found if m is not None)

    def treating_parties(self, stream: str) -> list[str]:
        """Parties that treat products of the stream (units of a product model, or black mass): the subjects of
        per-recycler and per-process targets.  A steel works melting aluminium from a battery pack's tray is not a
        battery recycling process."""
        sites = self.selection.sites
        return sorted(
            {
                r.party_id
                for r in self.rows
                if r.direction is Direction.CONSUMED
                and (r.model_id is not None or r.material in PROCESS_INPUTS)
                and (sites is None or r.site_id in sites)
                and (not stream or r.stream.value == stream)
            }
        )


def _refines(figures: Figures, element: str) -> bool:
    """Whether a party's process makes a recovered form of the element (so per-recycler element targets, set for
    refining processes, apply to it): a pre-treatment plant that makes black mass is judged on electrode powder,
    the refinery on lithium, nickel, cobalt and manganese."""
    return figures.elements[element].recovered_g > 0


NOT_PRODUCER_SCOPE = (
    "not applicable: EPR rates are producers' obligations, measured over their product models nationwide; a "
    "{kind} places nothing on the market (see the producer or nation report) / 不适用：生产者责任延伸针对生产者的"
    "产品，按全国计"
)
NO_STREAM_FLOWS = (
    "not applicable: no {stream} flows were recorded in this scope and period / "
    "不适用：本范围本期无该类产品的物质流"
)
NO_DENOMINATOR = (
    "nothing to measure: the rate's denominator (mass or units placed on the market, or treated) is zero in this "
    "scope and period / 无可计算：本范围本期分母为零"
)


def check_targets(ctx: _Context, epr: EprTotals | None) -> list[TargetCheck]:
    out: list[TargetCheck] = []
    scope = ctx.scope
    for target in applicable(ctx.catalogue, ctx.period, scope.stream):
        stream = target.stream
        scope_name = (ctx.selection.name, ctx.selection.name_zh)
        if target.measure is None:
            out.append(TargetCheck(target, target.subject, None, *scope_name, None, target.note))
            continue
        if target.measure == "epr_rate" and not carries_epr(scope, ctx.master):
            reason = NOT_PRODUCER_SCOPE.format(kind=_scope_noun(scope))
            out.append(TargetCheck(target, "scope", scope.id, *scope_name, None, reason, applicable=False))
            continue
        if target.subject == "scope":
            balance = ctx.scope_balance(stream)
            if stream and balance.rows == 0 and target.measure != "epr_rate":
                reason = NO_STREAM_FLOWS.format(stream=stream)
                out.append(
                    TargetCheck(target, "scope", scope.id, *scope_name, None, reason, applicable=False)
                )
                continue
            measured = measure(target.measure, balance, balance.figures, ctx.catalogue, ctx.period, epr)
            note = NO_DENOMINATOR if measured is not None and measured.value is None else ""
            out.append(TargetCheck(target, "scope", scope.id, *scope_name, measured, note))
        elif target.subject == "party":
            if scope.basis is Basis.MODELS:
                continue
            element = (
                target.measure.partition(":")[2] if target.measure.startswith("element_recovery") else None
            )
            for party_id in ctx.treating_parties(stream):
                balance = ctx.party_balance(party_id, stream)
                figures = balance.figures
                if figures.treated_g <= 0 or (element and not _refines(figures, element)):
                    continue
                measured = measure(target.measure, balance, figures, ctx.catalogue, ctx.period)
                if measured is None or measured.value is None:
                    continue
                out.append(TargetCheck(target, "party", party_id, *ctx.master.party_name(party_id), measured))
        elif target.subject == "model":
            for model_id in ctx.entering_models(stream):
                balance = ctx.models_balance(model_id, frozenset({model_id}), stream)
                measured = measure(target.measure, balance, balance.figures, ctx.catalogue, ctx.period)
                model = ctx.master.models.get(model_id)
                name = model.name if model else model_id
                out.append(TargetCheck(target, "model", model_id, name, name, measured))
        else:
            code = target.subject.partition(":")[2]
            models = frozenset(
                m.id
                for m in ctx.master.models.values()
                if (cat := ctx.catalogue.category(m.category)) is not None
                and cat.weee_category == code
                and (ctx.selection.models is None or m.id in ctx.selection.models)
            )
            balance = ctx.models_balance(f"weee:{code}", models, stream)
            names = sorted({c.name_en for c in ctx.catalogue.categories.values() if c.weee_category == code})
            names_zh = sorted(
                {c.name_zh for c in ctx.catalogue.categories.values() if c.weee_category == code}
            )
            category = ("weee_category", code, ", ".join(names), "、".join(names_zh))
            if balance.rows == 0:
                reason = NO_STREAM_FLOWS.format(stream=f"{stream} ({code})")
                out.append(TargetCheck(target, *category, None, reason, applicable=False))
                continue
            measured = measure(target.measure, balance, balance.figures, ctx.catalogue, ctx.period)
            out.append(TargetCheck(target, *category, measured))
    return out


# -- producers' EPR ------------------------------------------------------------------------------------------


class NoEpr:
    """What ``epr_models`` says of a scope that places nothing on the market."""

    def __repr__(self) -> str:
        return "NO_EPR"


NO_EPR = NoEpr()


def epr_models(scope: Scope, master: MasterData) -> frozenset[str] | NoEpr | None:
    """The product models whose EPR figures a report of the scope carries: every model for the nation (None), the
    producer's or the model itself, a party's own models when it is a producer; ``NO_EPR`` for a province, a site
    or a party that produces nothing.  EPR is a producer's obligation over the units it placed on the market
    nationwide (国办发〔2016〕99号); a province or a site holds no such obligation, and giving it the nation's
    figures would read as its own."""
    kind, key = scope.kind, scope.id or ""
    if kind is ScopeKind.NATION:
        return None
    if kind is ScopeKind.MODEL:
        return frozenset({key})
    party = master.parties.get(key)
    if kind is ScopeKind.PRODUCER or (
        kind is ScopeKind.PARTY and party is not None and Role.PRODUCER in party.roles
    ):
        return frozenset(m.id for m in master.models.values() if m.producer_id == key)
    return NO_EPR


def carries_epr(scope: Scope, master: MasterData) -> bool:
    """Whether a report of the scope has EPR figures (``epr_models``)."""
    return not isinstance(epr_models(scope, master), NoEpr)


def _scope_noun(scope: Scope) -> str:
    return {ScopeKind.PROVINCE: "province", ScopeKind.SITE: "site"}.get(
        scope.kind, "party that is not a producer"
    )


def epr_target(catalogue: Catalogue, period: Period, stream: Stream | None = None) -> Target | None:
    """The EPR rate target a producer's line (or total) is held to in the period: of the targets of measure
    ``epr_rate`` for its stream (or all streams) in force during the period, the one in force on its last day, else
    the latest to come into force (a period across 2024/2025 is held to the 2025 step)."""
    found = [
        t
        for t in applicable(catalogue, period, stream)
        if t.measure == "epr_rate" and (stream is None or t.stream in ("", stream.value))
    ]
    if stream is None:
        found = [t for t in found if not t.stream]
    on_last_day = [t for t in found if t.in_force(period.last_day, period.last_day)]
    return max(on_last_day or found, key=lambda t: (t.applies_from, t.id), default=None)


def _gap(rate: Fraction | None, target: Target | None) -> Fraction | None:
    """Rate minus target, as fractions (negative: short of it)."""
    return None if rate is None or target is None else rate - target.base_value


@dataclass
class EprLine:
    """One product line of one producer: units and mass placed on the market, collected, treated, and treated by a
    party licensed for the stream (properly treated) in the period; the EPR target it is held to."""

    producer_id: str
    model_id: str
    stream: Stream
    category: str
    epr_group: str
    component: bool
    placed: Amount = field(default_factory=Amount)
    collected: Amount = field(default_factory=Amount)
    treated: Amount = field(default_factory=Amount)
    properly_treated: Amount = field(default_factory=Amount)
    target: Target | None = None

    @property
    def rate(self) -> Fraction | None:
        """Properly treated units over units placed on the market in the period."""
        return ratio(self.properly_treated.count, self.placed.count)

    @property
    def gap(self) -> Fraction | None:
        """Rate minus the target (fractions; negative: short of it); None without either."""
        return _gap(self.rate, self.target)


@dataclass(frozen=True)
class EprTotals:
    placed_units: int
    placed_g: int
    collected_units: int
    treated_units: int
    properly_treated_units: int
    rate_units: (
        int  # properly treated units of lines placed on the market in the period (the rate's numerator)
    )
    target: Target | None = None  # the EPR target in force (``epr_target``)

    @property
    def rate(self) -> Fraction | None:
        return ratio(self.rate_units, self.placed_units)

    @property
    def gap(self) -> Fraction | None:
        """Rate minus the target (fractions; negative: short of it); None without either."""
        return _gap(self.rate, self.target)

    @classmethod
    def of(cls, lines: Iterable[EprLine], target: Target | None = None) -> EprTotals:
        counted = [line for line in lines if not line.component]
        return cls(
            placed_units=sum(x.placed.count for x in counted),
            placed_g=sum(x.placed.mass_g for x in counted),
            collected_units=sum(x.collected.count for x in counted),
            treated_units=sum(x.treated.count for x in counted),
            properly_treated_units=sum(x.properly_treated.count for x in counted),
            rate_units=sum(x.properly_treated.count for x in counted if x.placed.count > 0),
            target=target,
        )


def epr_lines(
    rows: Iterable[FlowAggregate],
    master: MasterData,
    catalogue: Catalogue,
    models: frozenset[str] | None,
    period: Period | None = None,
) -> list[EprLine]:
    """``rows`` grouped by month (the licence check is by month); ``period``: the one the rows cover, to hold each
    line to the EPR target in force (``epr_target``; none without it)."""
    lines: dict[str, EprLine] = {}

    def line(model_id: str) -> EprLine | None:
        if model_id not in lines:
            model = master.models.get(model_id)
            if model is None:
                return None
            cat = catalogue.category(model.category)
            lines[model_id] = EprLine(
                producer_id=model.producer_id,
                model_id=model_id,
                stream=model.stream,
                category=model.category,
                epr_group=cat.epr_group if cat else model.stream.value,
                component=cat.component if cat else False,
                target=epr_target(catalogue, period, model.stream) if period else None,
            )
        return lines[model_id]

    for row in rows:
        if row.model_id is None or (models is not None and row.model_id not in models):
            continue
        if row.direction is Direction.COMMISSIONED and row.stage is Stage.PLACED_ON_MARKET:
            target = line(row.model_id)
            if target:
                target.placed.add(row)
        elif row.stage is Stage.COLLECTED:
            target = line(row.model_id)
            if target:
                target.collected.add(row)
        elif row.direction is Direction.CONSUMED:
            target = line(row.model_id)
            if target is None:
                continue
            target.treated.add(row)
            if row.month and master.licensed(row.party_id, row.stream, row.month):
                target.properly_treated.add(row)
    return sorted(lines.values(), key=lambda x: (x.producer_id, x.model_id))


# -- sites ---------------------------------------------------------------------------------------------------

_PRODUCED = frozenset({Stage.PRIMARY, Stage.SECONDARY})
_CONSUMED = frozenset({Stage.ENTRY, Stage.INTERMEDIATE})


class Flag(StrEnum):
    HIGH_YIELD = "high_yield"  # outputs equal to inputs to within 0.5 %: weighed outputs never match so well
    OUTPUT_EXCEEDS_INPUT = "output_exceeds_input"
    COPPER_OUT_EXCEEDS_IN = "copper_out_exceeds_in"
    UNKNOWN_FATE = "unknown_fate"
    UNLICENSED_TREATMENT = (
        "unlicensed_treatment"  # treated in a month its party held no licence for the stream
    )


@dataclass(frozen=True)
class SiteLine:
    site_id: str
    party_id: str
    region: str
    figures: Figures
    received_g: int
    shipped_g: int
    flags: tuple[Flag, ...]


def site_lines(
    rows: Sequence[FlowAggregate],
    selection: Selection,
    period: Period,
    master: MasterData,
    monthly: Sequence[FlowAggregate] = (),
) -> list[SiteLine]:
    """Each site's own balance and findings; ``monthly``: consumption by month, for the licence check."""
    unlicensed = {
        r.site_id
        for r in monthly
        if r.direction is Direction.CONSUMED
        and r.month
        and not master.licensed(r.party_id, r.stream, r.month)
    }
    by_site: dict[str, list[FlowAggregate]] = {}
    for row in rows:
        if selection.sites is not None and row.site_id not in selection.sites:
            continue
        by_site.setdefault(row.site_id, []).append(row)
    out = []
    for site_id, site_rows in sorted(by_site.items()):
        balance = site_balance(site_rows, {site_id}.__contains__, period.contains)
        figures = balance.figures
        received = sum(r.mass_g for r in site_rows if r.direction is Direction.RECEIVED)
        shipped = sum(r.mass_g for r in site_rows if r.direction is Direction.SHIPPED)
        # Yield of the site's dismantling and transformations (remanufacturing and disposal keep their mass), on
        # traced mass: declared reagents are not output a site made out of its inputs.
        consumed = sum(r.mass_g for r in site_rows if r.direction is Direction.CONSUMED) - sum(
            r.mass_g for r in site_rows if r.direction is Direction.REAGENT and r.stage in _CONSUMED
        )
        produced = sum(r.mass_g for r in site_rows if r.direction is Direction.PRODUCED) - sum(
            r.mass_g for r in site_rows if r.direction is Direction.REAGENT and r.stage in _PRODUCED
        )
        flags: list[Flag] = []
        if consumed > 0 and produced - consumed > consumed // 50:
            flags.append(Flag.OUTPUT_EXCEEDS_INPUT)
        elif consumed > 0 and abs(consumed - produced) * 200 <= consumed:
            flags.append(Flag.HIGH_YIELD)
        copper = figures.elements["copper"]
        if copper.recovered_g > copper.input_g:
            flags.append(Flag.COPPER_OUT_EXCEEDS_IN)
        if figures.fate_g(Fate.UNKNOWN.value) > 0:
            flags.append(Flag.UNKNOWN_FATE)
        if site_id in unlicensed:
            flags.append(Flag.UNLICENSED_TREATMENT)
        site = master.sites.get(site_id)
        party_id = site.party_id if site else (site_rows[0].party_id if site_rows else "")
        out.append(
            SiteLine(
                site_id, party_id, site.region.code if site else "", figures, received, shipped, tuple(flags)
            )
        )
    return out


# -- Sankey --------------------------------------------------------------------------------------------------

STREAM_NAMES = {
    Stream.WEEE: ("WEEE", "废弃电器电子产品"),
    Stream.ELV: ("End-of-life vehicles", "报废机动车"),
    Stream.BATTERY: ("Traction batteries", "动力蓄电池"),
}
FATE_NAMES = {
    "reuse": ("Reuse", "再使用"),
    "remanufacture": ("Remanufacture", "再制造"),
    "recycling": ("Recycling", "再生利用"),
    "energy_recovery": ("Energy recovery", "能量回收"),
    "disposal": ("Disposal", "处置"),
    "unknown": ("Unknown fate", "去向不明"),
    PENDING: ("Awaiting treatment", "待处理"),
    "loss": ("Process loss", "过程损耗"),
    "transfer": ("To battery treatment", "移交动力电池处理"),
}
CLASS_NAMES = {
    "ferrous": ("Ferrous metals", "黑色金属"),
    "nonferrous": ("Non-ferrous metals", "有色金属"),
    "plastics": ("Plastics", "塑料"),
    "tyres": ("Tyres and rubber", "轮胎与橡胶"),
    "glass": ("Glass", "玻璃"),
    "battery_materials": ("Battery materials", "电池材料"),
    "parts": ("Parts for reuse", "再使用与再制造零部件"),
    "other": ("Other materials", "其他材料"),
}


@dataclass(frozen=True)
class SankeyNode:
    id: str
    name: str
    name_zh: str
    column: int


@dataclass(frozen=True)
class SankeyLink:
    source: str
    target: str
    mass_g: int


@dataclass(frozen=True)
class Sankey:
    nodes: tuple[SankeyNode, ...]
    links: tuple[SankeyLink, ...]
    dropped_g: int = 0  # negative contributions (flows across the period's edges) left out of the picture


def material_sankey(balance: Balance, catalogue: Catalogue) -> Sankey:
    """Streams → material classes → fates: where the mass that entered treatment ended, by the same balance as
    the report (links that are negative over the period are left out and counted in ``dropped_g``)."""
    links: dict[tuple[str, str], Fraction] = {}

    def link(a: str, b: str, grams: Fraction) -> None:
        links[(a, b)] = links.get((a, b), Fraction(0)) + grams

    for part, amount in balance.parts.items():
        if part.bucket not in (Bucket.FINAL, Bucket.REAGENT):
            continue
        fate = part.fate
        # Reagents held in outputs come in from their own node: the stream gives the traced mass, the class and the
        # fate show the physical mass.
        source = "reagents" if part.bucket is Bucket.REAGENT else f"stream:{part.stream.value}"
        if fate == PENDING:
            link(source, f"fate:{PENDING}", Fraction(amount.mass_g))
            continue
        if fate in (Fate.REUSE.value, Fate.REMANUFACTURE.value):
            shares = [("parts", Fraction(1))]
        else:
            shares = [(s.indicator_class, s.share) for s in catalogue.shares(part.material)]
            rest = Fraction(1) - sum((share for _, share in shares), Fraction(0))
            if rest > 0:
                shares.append(("other", rest))
        for indicator_class, share in shares:
            link(source, f"class:{indicator_class}", amount.mass_g * share)
            link(f"class:{indicator_class}", f"fate:{fate}", amount.mass_g * share)
    for stream in sorted({p.stream for p in balance.parts}):
        figures = _of_stream(balance, stream).figures
        if figures.transfer.mass_g:
            link(f"stream:{stream.value}", "fate:transfer", Fraction(figures.transfer.mass_g))
        link(f"stream:{stream.value}", "fate:loss", Fraction(figures.loss_g))
    kept = {k: int(v) for k, v in links.items() if int(v) > 0}
    dropped = -sum(int(v) for v in links.values() if int(v) < 0)
    nodes: dict[str, SankeyNode] = {}
    for a, b in kept:
        for node in (a, b):
            if node in nodes:
                continue
            kind, _, key = node.partition(":")
            if kind == "reagents":
                nodes[node] = SankeyNode(node, "Reagents added", "添加的试剂", 0)
            elif kind == "stream":
                name = STREAM_NAMES[Stream(key)]
                nodes[node] = SankeyNode(node, name[0], name[1], 0)
            elif kind == "class":
                name = CLASS_NAMES.get(key, (key, key))
                nodes[node] = SankeyNode(node, name[0], name[1], 1)
            else:
                name = FATE_NAMES.get(key, (key, key))
                nodes[node] = SankeyNode(node, name[0], name[1], 2)
    return Sankey(
        tuple(sorted(nodes.values(), key=lambda n: (n.column, n.id))),
        tuple(SankeyLink(a, b, g) for (a, b), g in sorted(kept.items())),
        dropped,
    )


def _of_stream(balance: Balance, stream: Stream) -> Balance:
    return balance.select(lambda part: part.stream is stream)


ROLE_ORDER: tuple[Role, ...] = (
    Role.OWNER,
    Role.PRODUCER,
    Role.COLLECTOR,
    Role.LOGISTICS,
    Role.DISMANTLER,
    Role.REMANUFACTURER,
    Role.RECYCLER,
    Role.REGULATOR,
)
ROLE_NAMES = {
    Role.OWNER: ("Owners", "持有者"),
    Role.PRODUCER: ("Producers", "生产者"),
    Role.COLLECTOR: ("Collectors", "回收网点"),
    Role.LOGISTICS: ("Carriers", "承运商"),
    Role.DISMANTLER: ("Dismantlers", "拆解企业"),
    Role.REMANUFACTURER: ("Remanufacturers", "再制造企业"),
    Role.RECYCLER: ("Recyclers", "综合利用企业"),
    Role.REGULATOR: ("Regulators", "监管部门"),
}


def role_of(party: Party | None) -> Role:
    """The role a party plays in the chain: the most downstream one it has (a producer that also recycles is a
    recycler when it receives waste)."""
    if party is None:
        return Role.OWNER
    for role in (Role.RECYCLER, Role.REMANUFACTURER, Role.DISMANTLER, Role.COLLECTOR, Role.LOGISTICS):
        if role in party.roles:
            return role
    return Role.PRODUCER if Role.PRODUCER in party.roles else Role.OWNER


def party_flows(rows: Iterable[FlowAggregate], master: MasterData, by_party: bool) -> Sankey:
    """Mass received by each party from each other party (custody, not treatment): grouped by role, or party by
    party.  Flows within one role group are left out of the role view."""
    links: dict[tuple[str, str], int] = {}
    columns: dict[str, int] = {}
    names: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row.direction is not Direction.RECEIVED or not row.counterparty_id:
            continue
        sender, receiver = master.parties.get(row.counterparty_id), master.parties.get(row.party_id)
        a_role, b_role = role_of(sender), role_of(receiver)
        if by_party:
            a, b = f"party:{row.counterparty_id}", f"party:{row.party_id}"
            names[a] = master.party_name(row.counterparty_id)
            names[b] = master.party_name(row.party_id)
        else:
            if a_role is b_role:
                continue
            a, b = f"role:{a_role.value}", f"role:{b_role.value}"
            names[a], names[b] = ROLE_NAMES[a_role], ROLE_NAMES[b_role]
        columns[a], columns[b] = ROLE_ORDER.index(a_role), ROLE_ORDER.index(b_role)
        links[(a, b)] = links.get((a, b), 0) + row.mass_g
    kept = {k: v for k, v in links.items() if v > 0}
    used = {n for pair in kept for n in pair}
    nodes = tuple(
        sorted(
            (SankeyNode(n, names[n][0], names[n][1], columns[n]) for n in used),
            key=lambda n: (n.column, n.id),
        )
    )
    return Sankey(nodes, tuple(SankeyLink(a, b, g) for (a, b), g in sorted(kept.items())))


# -- drill-down ----------------------------------------------------------------------------------------------


class Measure(StrEnum):
    """The numbers of a report that can be expanded into where they came from."""

    INPUT = "input"
    TREATED = "treated"
    TRANSFER = "transfer"
    PENDING = "pending"
    FINAL = "final"
    RECYCLED = "recycled"
    RECOVERED = "recovered"
    LOSS = "loss"
    COLLECTED = "collected"
    PLACED = "placed"
    UNITS_TREATED = "units_treated"


DRILL_BY = ("site", "party", "material", "model", "stream")


@dataclass(frozen=True)
class Contribution:
    key: str
    name: str
    name_zh: str
    mass_g: int
    count: int
    elements: dict[str, int]


def contributions(
    balance: Balance, what: Measure, by: str, master: MasterData, fate: str | None = None
) -> list[Contribution]:
    """What each site (party, material, model or stream) adds to the number ``what`` (signed: on the sites basis
    a site that treats outputs of another takes their mass back from the fate they were produced with).  The
    contributions add up to the number."""
    if by not in DRILL_BY:
        raise InvalidInput(
            f"by must be one of {', '.join(DRILL_BY)}",
            code=codes.VALIDATION_ERROR,
            message_zh="分组方式错误",
            field="by",
        )
    signs: list[tuple[Bucket, set[str] | None, int]]
    final_fates = {fate} if fate else None
    if what is Measure.INPUT:
        signs = [(Bucket.INPUT, None, 1)]
    elif what is Measure.TRANSFER:
        signs = [(Bucket.TRANSFER, None, 1)]
    elif what is Measure.PENDING:
        signs = [(Bucket.FINAL, {PENDING}, 1)]
    elif what is Measure.FINAL:
        signs = [(Bucket.FINAL, final_fates or {f.value for f in Fate}, 1)]
    elif what is Measure.RECYCLED:
        signs = [(Bucket.FINAL, set(RECYCLED_FATES), 1)]
    elif what is Measure.RECOVERED:
        signs = [(Bucket.FINAL, set(RECOVERED_FATES), 1)]
    elif what is Measure.COLLECTED:
        signs = [(Bucket.COLLECTED, None, 1)]
    elif what is Measure.PLACED:
        signs = [(Bucket.PLACED, None, 1)]
    elif what is Measure.UNITS_TREATED:
        signs = [(Bucket.ENTRY, None, 1)]
    elif what is Measure.TREATED:
        signs = [(Bucket.INPUT, None, 1), (Bucket.TRANSFER, None, -1), (Bucket.FINAL, {PENDING}, -1)]
    else:  # loss
        signs = [
            (Bucket.INPUT, None, 1),
            (Bucket.TRANSFER, None, -1),
            (Bucket.FINAL, None, -1),  # pending included: loss = input - transfer - pending - final
        ]
    out: dict[str, Amount] = {}
    for part, amount in balance.parts.items():
        for bucket, fates, sign in signs:
            if part.bucket is bucket and (fates is None or part.fate in fates):
                out.setdefault(
                    str(getattr(part, f"{by}_id" if by in ("site", "party", "model") else by)), Amount()
                ).add(amount, sign)
    rows = []
    for key, amount in out.items():
        if by == "site":
            name = master.site_name(key)
        elif by == "party":
            name = master.party_name(key)
        elif by == "model":
            model = master.models.get(key)
            name = (model.name, model.name) if model else (key or "—", key or "—")
        elif by == "stream":
            name = STREAM_NAMES.get(Stream(key), (key, key))
        else:
            name = (key, key)
        rows.append(Contribution(key, name[0], name[1], amount.mass_g, amount.count, dict(amount.elements)))
    return sorted(rows, key=lambda c: (-abs(c.mass_g), c.key))


# -- the report ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialLine:
    stream: Stream
    material: str
    fate: str
    mass_g: int


@dataclass(frozen=True)
class RecoveryReport:
    scope: Scope
    name: str
    name_zh: str
    period: Period
    basis: Basis
    figures: Figures
    streams: tuple[tuple[Stream, Figures], ...]
    materials: tuple[MaterialLine, ...]
    classes: tuple[tuple[str, int], ...]  # recycled mass by indicator class
    checks: tuple[TargetCheck, ...]
    epr: EprTotals | None
    targets_version: str
    rows: int

    def element(self, name: str) -> ElementFigures:
        return self.figures.elements[name]


def recovery_report(
    rows: Sequence[FlowAggregate],
    scope: Scope,
    period: Period,
    master: MasterData,
    catalogue: Catalogue,
    epr_rows: Sequence[FlowAggregate] = (),
) -> RecoveryReport:
    """The recovery report of a scope and period.  ``rows``: aggregates of the period (not by month);
    ``epr_rows``: aggregates by month for the producers' EPR figures (empty: no EPR figures).  EPR figures cover
    the producers' models of the scope only (``epr_models``): none for a province, a site or a party that is not a
    producer, whose EPR targets are checked as not applicable."""
    selection = select(scope, master)
    ctx = _Context(rows, scope, selection, period, master, catalogue, epr_rows)
    stream_key = scope.stream.value if scope.stream else ""
    balance = ctx.scope_balance(stream_key)
    figures = balance.figures
    streams = tuple(
        (s, ctx.scope_balance(s.value).figures)
        for s in Stream
        if (scope.stream is None or s is scope.stream) and ctx.scope_balance(s.value).rows
    )
    materials: dict[tuple[Stream, str, str], int] = {}
    for part, amount in balance.parts.items():
        # Physical mass by material: what was made, reagents included (the figures leave them out).
        if part.bucket in (Bucket.FINAL, Bucket.REAGENT) and part.fate != PENDING:
            key = (part.stream, part.material, part.fate)
            materials[key] = materials.get(key, 0) + amount.mass_g
    classes = {
        name: int(class_mass(balance, catalogue, name, {Fate.RECYCLING.value}))
        for name in sorted({s.indicator_class for shares in catalogue.materials.values() for s in shares})
    }
    epr = None
    models = epr_models(scope, master)
    if epr_rows and not isinstance(models, NoEpr):
        lines = epr_lines(epr_rows, master, catalogue, models, period)
        epr = EprTotals.of(lines, epr_target(catalogue, period, scope.stream))
    return RecoveryReport(
        scope=scope,
        name=selection.name,
        name_zh=selection.name_zh,
        period=period,
        basis=selection.basis,
        figures=figures,
        streams=streams,
        materials=tuple(
            MaterialLine(s, m, f, g)
            for (s, m, f), g in sorted(materials.items(), key=lambda kv: (kv[0][0].value, -kv[1], kv[0][1]))
            if g
        ),
        classes=tuple((k, v) for k, v in classes.items() if v),
        checks=tuple(check_targets(ctx, epr)),
        epr=epr,
        targets_version=catalogue.version,
        rows=balance.rows,
    )
