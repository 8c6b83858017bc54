"""The mass balance every rate is read from: flow aggregates sorted into input, final fates, pending and loss.

Two bases (``docs/rates.md`` defines both with examples):

**Sites** (a set ``S`` of sites — one site, a party's sites, a province, the nation — and a period ``P``).  A
treatment in ``S`` consumes objects and produces outputs.  An object consumed in ``S`` that came out of a treatment
in ``S`` during ``P`` (its ``origin``) is an intermediate step: its mass is taken back from the fate it was
produced with.  Anything else consumed is **input**.  Outputs with a fate are **final** mass of that fate;
outputs without one (items released from a container, waiting for their own treatment) are **pending**; a traction
pack released from a vehicle is a **transfer** to the battery stream (out of the vehicle's input, into the battery
stream's when a battery plant takes it).  A dispose or remanufacture event moves the mass of an object to its fate
(from the fate it had, if it came out of a treatment in ``S`` during ``P``; otherwise it is input as well).  So

    treated = input − transfer − pending = Σ final + loss

and for the nation over the whole life of the data every object is counted once, at the end of its chain.  For one
site it is that site's own process (what came in, what it made of it).

**Reagents** (acid, water of crystallisation, soda ash a transformation declares) are not material of the traced
inputs: a ``reagent`` record beside an output takes its reagent mass out of the output's fate (and keeps it in the
``reagent`` bucket, so physical masses by material can still be shown); beside a consumed or disposed object it
gives that mass back where the object's own record takes it.  So input, outputs, loss and every mass rate are
counted without reagents, and no rate exceeds its input because of them.

**Models** (a set ``M`` of product models): the first treatment of the units of those models.  Input is the units
entering treatment; outputs are what their treatment produced (parts and lots count for the model taken apart), by
the fate declared there.  This is the dismantler's view of a product line: what a vehicle model's recycling rate
is as dismantled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from retrace.domain.changes import Direction, Stage
from retrace.domain.model import Fate, Stream
from retrace.domain.rates.aggregates import FlowAggregate
from retrace.domain.rates.materials import RECOVERED_FORMS, TRACKED_ELEMENTS

PENDING = "pending"  # the fate key of outputs that have no fate yet

RECYCLED_FATES = frozenset({Fate.REUSE.value, Fate.REMANUFACTURE.value, Fate.RECYCLING.value})
RECOVERED_FATES = RECYCLED_FATES | {Fate.ENERGY_RECOVERY.value}
FATE_ORDER: tuple[str, ...] = tuple(f.value for f in Fate)


class Bucket(StrEnum):
    INPUT = "input"
    FINAL = "final"
    PENDING = "pending"
    TRANSFER = "transfer"
    COLLECTED = "collected"
    PLACED = "placed"
    ENTRY = "entry"  # units entering treatment (a subset of input, counted in pieces)
    REAGENT = "reagent"  # reagent mass held in final outputs, by fate: physical mass = final + reagent


@dataclass
class Amount:
    mass_g: int = 0
    count: int = 0
    value_cny: int = 0
    elements: dict[str, int] = field(default_factory=dict)

    def add(
        self, other: Amount | FlowAggregate, sign: int = 1, value: bool = True, count: bool = True
    ) -> None:
        self.mass_g += sign * other.mass_g
        if count:
            self.count += sign * other.count
        if value:
            self.value_cny += sign * other.value_cny
        pairs = other.elements.items() if isinstance(other, Amount) else other.elements_g
        for element, grams in pairs:
            self.elements[element] = self.elements.get(element, 0) + sign * grams

    def element(self, name: str) -> int:
        return self.elements.get(name, 0)

    @staticmethod
    def sum(amounts: Iterable[Amount]) -> Amount:
        out = Amount()
        for a in amounts:
            out.add(a)
        return out


@dataclass(frozen=True, order=True)
class Part:
    """The key of one contribution to a balance: which bucket, which fate, and where it came from."""

    bucket: Bucket
    fate: str  # FINAL: the fate (or PENDING); "" elsewhere
    stream: Stream
    material: str
    site_id: str
    party_id: str
    model_id: str


@dataclass
class Balance:
    parts: dict[Part, Amount] = field(default_factory=dict)
    rows: int = 0  # aggregate rows it was computed from

    def put(
        self,
        bucket: Bucket,
        row: FlowAggregate,
        sign: int = 1,
        fate: str = "",
        value: bool = True,
        count: bool = True,
    ) -> None:
        key = Part(bucket, fate, row.stream, row.material, row.site_id, row.party_id, row.model_id or "")
        self.parts.setdefault(key, Amount()).add(row, sign, value, count)

    def select(self, keep: Callable[[Part], bool]) -> Balance:
        return Balance({k: v for k, v in self.parts.items() if keep(k)}, self.rows)

    def total(self, bucket: Bucket, fates: Iterable[str] | None = None) -> Amount:
        wanted = None if fates is None else set(fates)
        return Amount.sum(
            a for k, a in self.parts.items() if k.bucket is bucket and (wanted is None or k.fate in wanted)
        )

    def by(self, attribute: str, bucket: Bucket, fates: Iterable[str] | None = None) -> dict[str, Amount]:
        wanted = None if fates is None else set(fates)
        out: dict[str, Amount] = {}
        for k, a in self.parts.items():
            if k.bucket is bucket and (wanted is None or k.fate in wanted):
                out.setdefault(str(getattr(k, attribute)), Amount()).add(a)
        return out

    # -- the figures every report shows -------------------------------------------------------------------------

    @property
    def figures(self) -> Figures:
        return Figures.of(self)


def site_balance(
    rows: Iterable[FlowAggregate],
    sites: Callable[[str], bool] | None,
    months: Callable[[str], bool],
    streams: Callable[[Stream], bool] | None = None,
) -> Balance:
    """The balance of the sites ``sites`` accepts (None: every site) over the months ``months`` accepts.

    ``rows`` are aggregates of those months (the store was asked for them); ``months`` decides whether an object's
    origin lies inside the period."""
    balance = Balance()
    for row in rows:
        if sites is not None and not sites(row.site_id):
            continue
        if streams is not None and not streams(row.stream):
            continue
        balance.rows += 1
        inside = (
            row.origin_site_id is not None
            and (sites is None or sites(row.origin_site_id))
            and row.origin_month is not None
            and months(row.origin_month)
        )
        _sort(balance, row, inside)
    return balance


_PRODUCED_STAGES = frozenset({Stage.PRIMARY, Stage.SECONDARY})
_CONSUMED_STAGES = frozenset({Stage.ENTRY, Stage.INTERMEDIATE})


def _reagent(balance: Balance, row: FlowAggregate, inside: bool) -> None:
    """Reagent mass beside a record: the opposite of that record's own sorting, in the final and input buckets,
    and kept in the reagent bucket while it sits in a final output.  Its stage says which record it is beside."""
    final = row.fate or PENDING

    def move(bucket: Bucket, sign: int, fate: str = "") -> None:
        balance.put(bucket, row, sign, fate, value=False, count=False)

    if row.stage in _PRODUCED_STAGES:  # bound into an output
        move(Bucket.FINAL, -1, final)
        move(Bucket.REAGENT, 1, final)
    elif row.stage in _CONSUMED_STAGES:  # leaves with a consumed object
        if inside:
            move(Bucket.FINAL, 1, final)
            move(Bucket.REAGENT, -1, final)
        else:
            move(Bucket.INPUT, -1)
    else:  # moves with a disposed object to its new fate
        if inside:
            earlier = row.prior_fate or PENDING
            move(Bucket.FINAL, 1, earlier)
            move(Bucket.REAGENT, -1, earlier)
        else:
            move(Bucket.INPUT, -1)
        move(Bucket.FINAL, -1, final)
        move(Bucket.REAGENT, 1, final)


def _sort(balance: Balance, row: FlowAggregate, inside: bool) -> None:
    d = row.direction
    if d is Direction.REAGENT:
        _reagent(balance, row, inside)
    elif d is Direction.CONSUMED:
        if inside:
            balance.put(Bucket.FINAL, row, -1, row.fate or PENDING)
        else:
            balance.put(Bucket.INPUT, row)
            if row.stage is Stage.ENTRY:
                balance.put(Bucket.ENTRY, row)
    elif d is Direction.PRODUCED:
        if row.stage is Stage.TRANSFER:
            balance.put(Bucket.TRANSFER, row)
        else:
            balance.put(Bucket.FINAL, row, 1, row.fate or PENDING)
    elif d in (Direction.DISPOSED, Direction.REMANUFACTURED):
        if inside:
            # The mass moves from its earlier fate; the value recorded is new, so it is not taken back.
            balance.put(Bucket.FINAL, row, -1, row.prior_fate or PENDING, value=False)
        else:
            balance.put(Bucket.INPUT, row)
        balance.put(Bucket.FINAL, row, 1, row.fate or PENDING)
    elif row.stage is Stage.COLLECTED:
        balance.put(Bucket.COLLECTED, row)
    elif row.stage is Stage.PLACED_ON_MARKET:
        balance.put(Bucket.PLACED, row)


def model_balance(
    rows: Iterable[FlowAggregate],
    models: Callable[[str], bool],
    sites: Callable[[str], bool] | None = None,
    streams: Callable[[Stream], bool] | None = None,
) -> Balance:
    """The first treatment of the units of the models ``models`` accepts (at the sites ``sites`` accepts)."""
    balance = Balance()
    for row in rows:
        if row.model_id is None or not models(row.model_id):
            continue
        if sites is not None and not sites(row.site_id):
            continue
        if streams is not None and not streams(row.stream):
            continue
        balance.rows += 1
        d, stage = row.direction, row.stage
        if d is Direction.CONSUMED and stage is Stage.ENTRY:
            balance.put(Bucket.INPUT, row)
            balance.put(Bucket.ENTRY, row)
        elif d is Direction.PRODUCED and stage is Stage.PRIMARY:
            balance.put(Bucket.FINAL, row, 1, row.fate or PENDING)
        elif (
            d is Direction.REAGENT and stage is Stage.PRIMARY
        ):  # reagents bound in a first treatment's output
            balance.put(Bucket.FINAL, row, -1, row.fate or PENDING, value=False, count=False)
            balance.put(Bucket.REAGENT, row, 1, row.fate or PENDING, value=False, count=False)
        elif d is Direction.PRODUCED and stage is Stage.TRANSFER:
            balance.put(Bucket.TRANSFER, row)
        elif d in (Direction.DISPOSED, Direction.REMANUFACTURED) and row.origin_site_id is None:
            balance.put(
                Bucket.INPUT, row
            )  # a whole unit disposed of or remanufactured: input and fate at once
            balance.put(Bucket.FINAL, row, 1, row.fate or PENDING)
        elif stage is Stage.COLLECTED:
            balance.put(Bucket.COLLECTED, row)
        elif stage is Stage.PLACED_ON_MARKET:
            balance.put(Bucket.PLACED, row)
    return balance


def ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator > 0 else None


@dataclass(frozen=True)
class ElementFigures:
    element: str
    input_g: int
    recovered_g: int

    @property
    def rate(self) -> Fraction | None:
        return ratio(self.recovered_g, self.input_g)


@dataclass(frozen=True)
class Figures:
    """What a balance says, in grams, pieces and yuan."""

    input: Amount
    transfer: Amount
    pending: Amount
    final: dict[str, Amount]  # by fate (pending excluded)
    collected: Amount
    placed: Amount
    units_treated: int
    elements: dict[str, ElementFigures]
    reagents: Amount = field(default_factory=Amount)  # reagent mass in the final outputs (not in ``final``)

    @classmethod
    def of(cls, balance: Balance) -> Figures:
        final = {
            fate: a for fate, a in balance.by("fate", Bucket.FINAL).items() if fate != PENDING and fate != ""
        }
        pending = balance.total(Bucket.FINAL, [PENDING])
        input_ = balance.total(Bucket.INPUT)
        transfer = balance.total(Bucket.TRANSFER)
        # Parts and products reused or remanufactured never enter material recovery: their elements are not part of
        # what a recycling process could recover (docs/rates.md, element recovery).
        kept = balance.total(Bucket.FINAL, [Fate.REUSE.value, Fate.REMANUFACTURE.value])
        elements = {}
        for element in TRACKED_ELEMENTS:
            recovered = sum(
                a.element(element)
                for k, a in balance.parts.items()
                if k.bucket is Bucket.FINAL
                and k.fate == Fate.RECYCLING.value
                and element in RECOVERED_FORMS.get(k.material, {})
            )
            entering = (
                input_.element(element)
                - transfer.element(element)
                - pending.element(element)
                - kept.element(element)
            )
            elements[element] = ElementFigures(element, entering, recovered)
        return cls(
            input=input_,
            transfer=transfer,
            pending=pending,
            final=final,
            collected=balance.total(Bucket.COLLECTED),
            placed=balance.total(Bucket.PLACED),
            units_treated=balance.total(Bucket.ENTRY).count,
            elements=elements,
            reagents=balance.total(Bucket.REAGENT),
        )

    def fate_g(self, *fates: str) -> int:
        return sum(self.final[f].mass_g for f in fates if f in self.final)

    @property
    def treated_g(self) -> int:
        """The mass whose treatment the balance covers: input less transfers out and outputs still pending."""
        return self.input.mass_g - self.transfer.mass_g - self.pending.mass_g

    @property
    def final_g(self) -> int:
        return sum(a.mass_g for a in self.final.values())

    @property
    def loss_g(self) -> int:
        """Mass that went in and came out as no recorded output (moisture, dust, fumes, scale error)."""
        return self.treated_g - self.final_g

    @property
    def recycled_g(self) -> int:
        return self.fate_g(*RECYCLED_FATES)

    @property
    def recovered_g(self) -> int:
        return self.fate_g(*RECOVERED_FATES)

    @property
    def recycling_rate(self) -> Fraction | None:
        """(reuse + remanufacture + recycling) / treated mass: ISO 22628's "recyclability" reading, EU ELV's
        reuse-and-recycling rate."""
        return ratio(self.recycled_g, self.treated_g)

    @property
    def recovery_rate(self) -> Fraction | None:
        """(reuse + remanufacture + recycling + energy recovery) / treated mass."""
        return ratio(self.recovered_g, self.treated_g)

    @property
    def unknown_share(self) -> Fraction | None:
        return ratio(self.fate_g(Fate.UNKNOWN.value), self.treated_g)

    @property
    def remanufacturing_value_cny(self) -> int:
        remanufactured = self.final.get(Fate.REMANUFACTURE.value)
        return remanufactured.value_cny if remanufactured else 0
