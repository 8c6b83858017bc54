"""The things the graph holds: parties and their licences, sites, product models, traced objects.

Masses are whole grams (``int``) everywhere below the edge: sums and comparisons are exact, and both stores return
the same numbers.  The edge reads and writes kilograms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from retrace.domain.errors import InvalidInput


class Stream(StrEnum):
    """The three waste streams; each has its own chain, licences and numbers."""

    WEEE = "weee"
    ELV = "elv"
    BATTERY = "battery"


class Role(StrEnum):
    PRODUCER = "producer"
    COLLECTOR = "collector"
    DISMANTLER = "dismantler"
    RECYCLER = "recycler"
    REMANUFACTURER = "remanufacturer"
    REGULATOR = "regulator"
    LOGISTICS = "logistics"
    OWNER = "owner"


# Roles whose holding of waste needs a licence for the stream (回收网点 are registered, dismantlers/recyclers/
# remanufacturers licensed).  Producers, carriers and owners may hold items without one.
LICENSED_ROLES = frozenset({Role.COLLECTOR, Role.DISMANTLER, Role.RECYCLER, Role.REMANUFACTURER})


class Fate(StrEnum):
    """What became of output mass; every rate is built from these."""

    REUSE = "reuse"
    REMANUFACTURE = "remanufacture"
    RECYCLING = "recycling"
    ENERGY_RECOVERY = "energy_recovery"
    DISPOSAL = "disposal"
    UNKNOWN = "unknown"


class ObjectKind(StrEnum):
    ITEM = "item"  # one physical unit: an appliance, a vehicle, a pack, a module, a cell, an engine
    LOT = "lot"  # a quantity of one material: a bale of copper, a tonne of black mass


class Status(StrEnum):
    ACTIVE = "active"
    IN_TRANSIT = "in_transit"
    REMANUFACTURED = "remanufactured"
    DISMANTLED = "dismantled"  # terminal: taken apart
    CONSUMED = "consumed"  # terminal: input of a transformation (recycled)
    DISPOSED = "disposed"  # terminal: landfilled, incinerated
    VOIDED = "voided"  # terminal: created by an event later declared erroneous


TERMINAL = frozenset({Status.DISMANTLED, Status.CONSUMED, Status.DISPOSED, Status.VOIDED})
TREATED = frozenset({Status.DISMANTLED, Status.CONSUMED})


_KG = Decimal(1000)


def grams_from_kg(value: Decimal | int | float | str, field_name: str = "mass_kg") -> int:
    """Kilograms as given by a person or device, to whole grams.  Negative, non-finite or absurd masses are refused."""
    try:
        kg = Decimal(str(value))
    except InvalidOperation as e:
        raise InvalidInput(
            f"{value!r} is not a mass in kg", message_zh="质量格式错误", field=field_name
        ) from e
    if not kg.is_finite() or kg < 0:
        raise InvalidInput(
            f"mass must be a finite number ≥ 0 kg, got {value}",
            message_zh="质量必须为非负数",
            field=field_name,
            code="VALIDATION_ERROR",
        )
    if kg > Decimal(10_000_000):
        raise InvalidInput(
            f"mass {value} kg exceeds 10,000 t",
            message_zh="质量超过 10000 吨",
            field=field_name,
            code="VALIDATION_ERROR",
        )
    return int((kg * _KG).to_integral_value())


def kg(grams: int) -> float:
    """Whole grams as kilograms for display and JSON."""
    return grams / 1000


_REGION = re.compile(r"^[1-9][0-9]{5}$")
PROVINCES = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
    "71": "台湾",
    "81": "香港",
    "82": "澳门",
}


@dataclass(frozen=True)
class RegionCode:
    """A GB/T 2260 administrative division code (6 digits); the first two name the province."""

    code: str

    def __post_init__(self) -> None:
        if not _REGION.match(self.code) or self.code[:2] not in PROVINCES:
            raise InvalidInput(
                f"{self.code!r} is not a GB/T 2260 region code",
                message_zh="行政区划代码错误",
                field="region",
                code="VALIDATION_ERROR",
            )

    @property
    def province(self) -> str:
        return self.code[:2] + "0000"


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    roles: frozenset[Role]
    region: RegionCode
    name_zh: str = ""


@dataclass(frozen=True)
class Licence:
    """A permit to hold and treat one or more streams, valid on the days from ``valid_from`` to ``valid_to``."""

    number: str
    party_id: str
    streams: frozenset[Stream]
    valid_from: date
    valid_to: date

    def covers(self, stream: Stream, at: datetime) -> bool:
        return stream in self.streams and self.valid_from <= at.date() <= self.valid_to


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    party_id: str
    region: RegionCode
    name_zh: str = ""


@dataclass(frozen=True)
class ProductModel:
    """A product line a producer puts on the market; ``composition`` gives grams of each material in one unit."""

    id: str
    producer_id: str
    stream: Stream
    category: str
    name: str
    nominal_mass_g: int
    composition_g: dict[str, int] = field(default_factory=dict)
    gtin: str | None = None

    def __post_init__(self) -> None:
        total = sum(self.composition_g.values())
        if total > self.nominal_mass_g:
            raise InvalidInput(
                f"composition of {self.id} sums to {kg(total)} kg, "
                f"more than its nominal mass {kg(self.nominal_mass_g)} kg",
                message_zh="材料组成之和超过标称质量",
                field="composition",
                code="VALIDATION_ERROR",
            )


@dataclass(frozen=True)
class TracedObject:
    """One thing the graph follows: an item (a unit) or a lot (a quantity of a material).

    ``version`` counts the changes to this object; a write that read an older version loses (optimistic
    concurrency), which is how two devices recording about the same item at the same moment get exactly one winner.
    """

    id: str
    kind: ObjectKind
    keys: tuple[str, ...]
    identifiers: tuple[tuple[str, str], ...]  # (scheme, value) as given, for display
    stream: Stream
    mass_g: int
    status: Status
    created_at: datetime
    created_by_event: str
    holder_id: str | None
    site_id: str | None
    model_id: str | None = None
    category: str | None = None  # items: the product category (tv, passenger_car, ncm_pack …)
    material: str | None = None  # lots: steel, copper, black_mass, lithium_carbonate …
    fate: Fate | None = None
    parent_id: str | None = None  # current container (aggregation), if any
    in_transit_to: str | None = None  # party an in-transit object was shipped to
    last_event_id: str | None = None
    version: int = 1
    remanufactured: bool = (
        False  # went through a remanufacture event (a part's fate alone only says it is destined to)
    )
    # Where and when it came out of a treatment (a part or lot produced, or an item of the same stream released
    # from a container by a disassembly); None for a unit never treated.  Recovery rates count the consumption of
    # such an object as an intermediate step, not as new input (docs/rates.md).
    origin_site_id: str | None = None
    origin_at: datetime | None = None
    # Lots: what an assay found in the lot, in grams (e.g. lithium, nickel in black mass); empty when not assayed.
    composition_g: tuple[tuple[str, int], ...] = ()
    # Lots made by a transformation that declared reagents: how many of its grams are reagent (acid, water of
    # crystallisation, soda ash bound in a salt), not material of the traced inputs.  Recovery rates leave them out.
    reagent_g: int = 0
    # Lots made from inputs of several streams: the input grams of each stream (by stream value, sorted); every flow
    # record of the lot is split among its streams in these proportions.  Empty for an object of one stream.
    stream_mix: tuple[tuple[str, int], ...] = ()

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def streams(self) -> tuple[Stream, ...]:
        """Every stream the object's mass belongs to: its own, or those of the inputs of a mixed lot."""
        return tuple(Stream(s) for s, _ in self.stream_mix) if self.stream_mix else (self.stream,)

    @property
    def flow_material(self) -> str:
        """What a mass flow of this object is counted as: a lot's material, or an item's product category."""
        return self.material or self.category or "unspecified"
