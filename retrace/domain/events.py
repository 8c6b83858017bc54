"""What people and devices record about traced objects.

Each event carries a client-supplied unique ``event_id`` (generated once on the device, so a retry can never
create a duplicate), the ``event_time`` it happened (timezone-aware), the ``site_id`` where and the ``party_id``
who.  Objects are named by any identifier (see ``identifiers.parse_identifier``).  Nothing recorded is ever edited:
a mistake is answered by a ``Correct`` event (EPCIS error declaration).  The EPCIS 2.0 mapping of every type is in
``docs/events.md`` and ``retrace.domain.epcis``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar

from retrace.domain.errors import InvalidInput
from retrace.domain.model import Fate


def _require(condition: bool, message: str, message_zh: str, field: str) -> None:
    if not condition:
        raise InvalidInput(message, message_zh=message_zh, field=field, code="VALIDATION_ERROR")


@dataclass(frozen=True)
class NewItem:
    """A unit that comes into the graph: commissioned by a producer or collector, or taken out in a disassembly."""

    identifiers: tuple[str, ...]
    model_id: str
    mass_g: int | None = None  # None: the model's nominal mass
    fate: Fate | None = None  # parts from a disassembly: what they are destined for (reuse, remanufacture …)

    def __post_init__(self) -> None:
        _require(
            len(self.identifiers) > 0,
            "an item needs at least one identifier",
            "物品至少需要一个标识",
            "identifiers",
        )
        _require(
            self.mass_g is None or self.mass_g >= 0, "mass must not be negative", "质量不能为负", "mass_kg"
        )


@dataclass(frozen=True)
class NewLot:
    """A quantity of one material produced by a disassembly or a transformation, with the fate of its mass.

    ``composition_g``: what an assay found in the lot, in grams per element or material (e.g. the lithium and
    nickel in a black-mass lot, and its electrode powder); optional, and entries may overlap.  Element recovery
    rates use it (docs/rates.md)."""

    code: str
    material: str
    mass_g: int
    fate: Fate
    composition_g: tuple[tuple[str, int], ...] = field(default=(), metadata={"omit_empty": True})

    def __post_init__(self) -> None:
        _require(bool(self.material.strip()), "a lot needs a material", "批次需要材料名称", "material")
        _require(self.mass_g >= 0, "mass must not be negative", "质量不能为负", "mass_kg")
        merged: dict[str, int] = {}
        for name, grams in self.composition_g:
            _require(
                bool(str(name).strip()), "a composition entry needs a name", "成分需要名称", "composition"
            )
            _require(grams >= 0, "composition masses must not be negative", "成分质量不能为负", "composition")
            merged[str(name).strip().lower()] = merged.get(str(name).strip().lower(), 0) + int(grams)
        # Entries may overlap (nickel, and the electrode powder that holds it), so each is checked, not their sum.
        _require(
            all(grams <= self.mass_g for grams in merged.values()),
            "a component of a lot cannot weigh more than the lot",
            "批次成分质量不能超过批次质量",
            "composition",
        )
        # One canonical order, so the same assay always gives the same fingerprint.
        object.__setattr__(self, "composition_g", tuple(sorted(merged.items())))


@dataclass(frozen=True)
class Event:
    type: ClassVar[str] = "event"
    event_id: str
    event_time: datetime
    site_id: str
    party_id: str

    def __post_init__(self) -> None:
        _require(
            0 < len(self.event_id) <= 128,
            "event_id must have 1 to 128 characters",
            "event_id 长度须为 1 到 128",
            "event_id",
        )
        _require(
            self.event_time.tzinfo is not None,
            "event_time needs a timezone offset",
            "event_time 需要时区",
            "event_time",
        )

    def payload(self) -> dict[str, Any]:
        """The event as plain JSON-able data: what stores persist and what its fingerprint is computed from."""
        out: dict[str, Any] = {"type": self.type}
        for f in fields(self):
            value = getattr(self, f.name)
            if _omitted(f, value):
                continue
            out[f.name] = _plain(value)
        return out

    def fingerprint(self) -> str:
        """A hash of the content: the same id with the same fingerprint is a replay, with another a conflict."""
        canonical = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Commission(Event):
    type: ClassVar[str] = "commission"
    items: tuple[NewItem, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(len(self.items) > 0, "commission needs at least one item", "至少赋码一个物品", "items")


@dataclass(frozen=True)
class Ship(Event):
    type: ClassVar[str] = "ship"
    objects: tuple[str, ...] = ()
    to_party_id: str = ""
    to_site_id: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(len(self.objects) > 0, "ship needs at least one object", "至少发运一个物品", "objects")
        _require(bool(self.to_party_id), "ship needs to_party_id", "发运需要收货方", "to_party_id")


@dataclass(frozen=True)
class Receive(Event):
    type: ClassVar[str] = "receive"
    objects: tuple[str, ...] = ()
    from_party_id: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(len(self.objects) > 0, "receive needs at least one object", "至少接收一个物品", "objects")


@dataclass(frozen=True)
class Weigh(Event):
    type: ClassVar[str] = "weigh"
    object: str = ""
    mass_g: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(self.mass_g >= 0, "mass must not be negative", "质量不能为负", "mass_kg")


@dataclass(frozen=True)
class Aggregate(Event):
    """Put children into a parent: modules into a pack, a pack into a vehicle, appliances into a cage."""

    type: ClassVar[str] = "aggregate"
    parent: str = ""
    children: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(len(self.children) > 0, "aggregate needs at least one child", "至少需要一个子项", "children")


@dataclass(frozen=True)
class Disaggregate(Event):
    type: ClassVar[str] = "disaggregate"
    parent: str = ""
    children: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(
            len(self.children) > 0, "disaggregate needs at least one child", "至少需要一个子项", "children"
        )


@dataclass(frozen=True)
class Disassemble(Event):
    """Take one item apart into new part items and material lots.  Items it contained (a pack in a vehicle) are
    released with it: they stay in the graph, linked to it, and count towards the output mass."""

    type: ClassVar[str] = "disassemble"
    object: str = ""
    parts: tuple[NewItem, ...] = ()
    lots: tuple[NewLot, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(
            bool(self.parts or self.lots),
            "disassemble needs at least one output",
            "拆解至少需要一个产出",
            "parts",
        )


@dataclass(frozen=True)
class Transform(Event):
    """Consume input items or lots whole, producing material lots (shredding, smelting, hydrometallurgy).

    ``reagents_g``: the mass of reagents added that ends in the outputs (sulfuric acid and water bound in a metal
    sulfate, the carbonate of soda ash in lithium carbonate), in grams, if any.  They are not traced objects: the
    mass balance counts them as input, and recovery rates leave them out of the outputs (docs/rates.md)."""

    type: ClassVar[str] = "transform"
    inputs: tuple[str, ...] = ()
    outputs: tuple[NewLot, ...] = ()
    reagents_g: int | None = field(default=None, metadata={"omit_empty": True})

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(len(self.inputs) > 0, "transform needs at least one input", "至少需要一个投入", "inputs")
        _require(len(self.outputs) > 0, "transform needs at least one output", "至少需要一个产出", "outputs")
        _require(
            self.reagents_g is None or self.reagents_g >= 0,
            "reagent mass must not be negative",
            "试剂质量不能为负",
            "reagents_kg",
        )
        if (
            self.reagents_g == 0
        ):  # no reagents has one form, so its fingerprint is that of an event without them
            object.__setattr__(self, "reagents_g", None)


@dataclass(frozen=True)
class Remanufacture(Event):
    """Items restored for a second life; ``value_cny``: the value of the remanufactured output, in whole yuan, if
    recorded (the remanufacturing-scale indicator sums it).

    ``fate``: ``remanufacture`` (the default: an engine or gearbox rebuilt to as-new) or ``reuse`` (cascade use,
    梯次利用: a battery module tested and put to a second, different use such as energy storage)."""

    type: ClassVar[str] = "remanufacture"
    objects: tuple[str, ...] = ()
    value_cny: int | None = field(default=None, metadata={"omit_empty": True})
    fate: Fate | None = field(default=None, metadata={"omit_empty": True})  # None: remanufacture

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(
            len(self.objects) > 0, "remanufacture needs at least one object", "至少需要一个物品", "objects"
        )
        _require(
            self.fate in (None, Fate.REMANUFACTURE, Fate.REUSE),
            "remanufacture fate is remanufacture or reuse",
            "再制造去向只能是 remanufacture 或 reuse",
            "fate",
        )
        if (
            self.fate is Fate.REMANUFACTURE
        ):  # the default has one form (and the fingerprint of events before it)
            object.__setattr__(self, "fate", None)
        _require(
            self.value_cny is None or self.value_cny >= 0,
            "value_cny must not be negative",
            "再制造产值不能为负",
            "value_cny",
        )

    @property
    def resulting_fate(self) -> Fate:
        return self.fate or Fate.REMANUFACTURE


@dataclass(frozen=True)
class Dispose(Event):
    type: ClassVar[str] = "dispose"
    objects: tuple[str, ...] = ()
    fate: Fate = Fate.DISPOSAL

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(len(self.objects) > 0, "dispose needs at least one object", "至少需要一个物品", "objects")
        _require(
            self.fate in (Fate.DISPOSAL, Fate.ENERGY_RECOVERY),
            "dispose fate is disposal or energy_recovery",
            "处置去向只能是 disposal 或 energy_recovery",
            "fate",
        )


@dataclass(frozen=True)
class Correct(Event):
    """Declare an earlier event erroneous (EPCIS ``errorDeclaration``); the earlier event is kept, flagged."""

    type: ClassVar[str] = "correct"
    target_event_id: str = ""
    reason: str = ""
    corrective_event_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(
            bool(self.target_event_id),
            "correct needs target_event_id",
            "需要被更正的事件编号",
            "target_event_id",
        )
        _require(bool(self.reason.strip()), "correct needs a reason", "需要更正原因", "reason")


@dataclass(frozen=True)
class Associate(Event):
    """New identifiers for an item already in the graph: a second-life battery pack re-coded under GB/T 34014 after
    remanufacture, a VIN or an RFID tag attached to an item first tagged by QR.  The item keeps every identifier it
    had, so any of them, old or new, finds it."""

    type: ClassVar[str] = "associate"
    object: str = ""
    identifiers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(
            len(self.identifiers) > 0,
            "associate needs at least one new identifier",
            "至少需要一个新标识",
            "identifiers",
        )


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        Commission,
        Ship,
        Receive,
        Weigh,
        Aggregate,
        Disaggregate,
        Disassemble,
        Transform,
        Remanufacture,
        Dispose,
        Correct,
        Associate,
    )
}


def _omitted(f: Field[Any], value: Any) -> bool:
    """Optional fields added after events were first stored stay out of the payload when unset, so the fingerprint
    of an event sent before they existed does not change (a replay stays a replay)."""
    return bool(f.metadata.get("omit_empty")) and (value is None or value == ())


def _composition(value: Any) -> tuple[tuple[str, int], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), int(v)) for k, v in items)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, NewItem | NewLot):
        return {
            f.name: dict(getattr(value, f.name))
            if f.name == "composition_g"
            else _plain(getattr(value, f.name))
            for f in fields(value)
            if not _omitted(f, getattr(value, f.name))
        }
    if isinstance(value, Fate):
        return value.value
    return value


def _new_item(data: Mapping[str, Any]) -> NewItem:
    fate = data.get("fate")
    return NewItem(
        tuple(data["identifiers"]), data["model_id"], data.get("mass_g"), Fate(fate) if fate else None
    )


def _new_lot(data: Mapping[str, Any]) -> NewLot:
    return NewLot(
        data["code"],
        data["material"],
        int(data["mass_g"]),
        Fate(data["fate"]),
        _composition(data.get("composition_g", ())),
    )


def event_from_payload(payload: Mapping[str, Any]) -> Event:
    """The inverse of ``Event.payload``: how stores give back what they were given."""
    cls = EVENT_TYPES[payload["type"]]
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in payload:
            continue
        value = payload[f.name]
        if f.name == "event_time":
            value = datetime.fromisoformat(value)
        elif f.name in ("items", "parts"):
            value = tuple(_new_item(v) for v in value)
        elif f.name in ("lots", "outputs"):
            value = tuple(_new_lot(v) for v in value)
        elif f.name == "fate":
            value = Fate(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)
