"""A small world with products of known composition, and the ledger's flows as the aggregates a store returns."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone

from retrace.app.registry import Registration
from retrace.domain.changes import ChangeSet, FlowRecord
from retrace.domain.errors import TraceError
from retrace.domain.events import Commission, Disassemble, Event, NewItem, NewLot, Receive, Ship, Transform
from retrace.domain.ledger import CaptureRules, Ledger
from retrace.domain.model import Fate, Licence, Party, ProductModel, RegionCode, Role, Site, Stream
from retrace.domain.rates.aggregates import FlowAggregate, Sums, aggregate_key, row_to_aggregate, sort_key
from retrace.domain.rates.materials import TRACKED_ELEMENTS
from retrace.domain.rates.report import MasterData

CST = timezone(timedelta(hours=8))
JAN = datetime(2026, 1, 5, 9, 0, tzinfo=CST)
FEB = datetime(2026, 2, 5, 9, 0, tzinfo=CST)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

ALL = frozenset({Stream.WEEE, Stream.ELV, Stream.BATTERY})
CAR_G = 1_000_000
CAR = {"steel": 700_000, "aluminium": 100_000, "copper": 10_000, "plastics": 90_000, "glass": 30_000}
PACK_G = 200_000
PACK = {
    "lithium": 3_000,
    "nickel": 12_000,
    "cobalt": 5_000,
    "manganese": 7_000,
    "oxygen": 15_000,
    "graphite": 20_000,
    "copper": 20_000,
    "aluminium": 60_000,
}
PACK_POWDER_G = 3_000 + 12_000 + 5_000 + 7_000 + 15_000 + 20_000  # cathode elements and graphite


def _party(pid: str, roles: set[Role], region: str) -> Party:
    return Party(pid, pid.title(), frozenset(roles), RegionCode(region), f"{pid}（中文）")


def registration(lapse: date = date(2030, 12, 31)) -> Registration:
    """``lapse``: the day the battery recycler's licence ends."""
    parties = [
        _party("maker", {Role.PRODUCER}, "320500"),
        _party("owner", {Role.OWNER}, "320500"),
        _party("dismantler", {Role.DISMANTLER}, "320500"),
        _party("shredder", {Role.RECYCLER}, "320500"),
        _party("batt", {Role.RECYCLER}, "430100"),
        _party("refiner", {Role.RECYCLER}, "360700"),
        _party("reman", {Role.REMANUFACTURER}, "330100"),
        _party("carrier", {Role.LOGISTICS}, "440300"),
    ]
    always = (date(2020, 1, 1), date(2030, 12, 31))
    licences = [
        Licence("L-D", "dismantler", ALL, *always),
        Licence("L-S", "shredder", ALL, *always),
        Licence("L-B", "batt", frozenset({Stream.BATTERY}), date(2020, 1, 1), lapse),
        Licence("L-R", "refiner", frozenset({Stream.BATTERY}), *always),
        Licence("L-M", "reman", frozenset({Stream.ELV}), *always),
    ]
    sites = [Site(f"site-{p.id}", f"{p.id} yard", p.id, p.region, f"{p.id} 场地") for p in parties]
    models = [
        ProductModel("car", "maker", Stream.ELV, "passenger_car", "Petrol car", CAR_G, CAR),
        ProductModel("pack", "maker", Stream.BATTERY, "ncm_pack", "NCM pack", PACK_G, PACK),
        ProductModel(
            "ev",
            "maker",
            Stream.ELV,
            "passenger_car_bev",
            "Electric car",
            CAR_G + PACK_G,
            {**CAR, "copper": 30_000},
        ),
        ProductModel("engine", "maker", Stream.ELV, "engine", "Engine", 120_000, {"steel": 100_000}),
    ]
    return Registration(parties=parties, licences=licences, sites=sites, models=models)


def ledger(reg: Registration | None = None) -> Ledger:
    reg = reg or registration()
    licences: dict[str, list[Licence]] = {}
    for lic in reg.licences:
        licences.setdefault(lic.party_id, []).append(lic)
    return Ledger(
        now=NOW, rules=CaptureRules(), objects={}, keys={},
        parties={p.id: p for p in reg.parties}, sites={s.id: s for s in reg.sites},
        models={m.id: m for m in reg.models}, licences=licences, children={}, records={},
    )  # fmt: skip


def replay(events: Iterable[Event], reg: Registration | None = None) -> ChangeSet:
    book = ledger(reg)
    for event in events:
        try:
            book.apply(event, event.fingerprint())
        except TraceError as e:
            raise AssertionError(f"{event.event_id}: {e.code} {e.field} {e.message}") from e
    return book.change_set()


def rows(flows: Iterable[FlowRecord], by_month: bool = False) -> list[FlowAggregate]:
    """What ``GraphStore.flow_aggregates`` gives for these records (every month)."""
    sums: dict[tuple[str, ...], tuple[dict[str, str], Sums]] = {}
    for flow in flows:
        dims = aggregate_key(flow).as_dict()
        if not by_month:
            dims["month"] = ""
        key = tuple(dims.values())
        sums.setdefault(key, (dims, Sums()))[1].add(flow)
    out = [
        row_to_aggregate(dims, s.mass_g, s.count, s.value_cny, s.elements)
        for dims, s in sums.values()
        if s.mass_g or s.count or s.value_cny
    ]
    return sorted(out, key=sort_key)


def master(reg: Registration | None = None) -> MasterData:
    reg = reg or registration()
    licences: dict[str, list[Licence]] = {}
    for lic in reg.licences:
        licences.setdefault(lic.party_id, []).append(lic)
    return MasterData(
        parties={p.id: p for p in reg.parties},
        sites={s.id: s for s in reg.sites},
        models={m.id: m for m in reg.models},
        licences=licences,
    )


# -- events --------------------------------------------------------------------------------------------------


def at(base: datetime, hours: float) -> datetime:
    return base + timedelta(hours=hours)


def commission(eid: str, t: datetime, party: str, code: str, model: str) -> Commission:
    return Commission(eid, t, f"site-{party}", party, items=(NewItem((code,), model),))


def move(eid: str, t: datetime, frm: str, to: str, *objects: str) -> list[Event]:
    return [
        Ship(f"{eid}-s", t, f"site-{frm}", frm, objects=objects, to_party_id=to, to_site_id=f"site-{to}"),
        Receive(f"{eid}-r", at(t, 2), f"site-{to}", to, objects=objects),
    ]


def lot(code: str, material: str, grams: int, fate: Fate = Fate.RECYCLING, **assay: int) -> NewLot:
    return NewLot(code, material, grams, fate, tuple(assay.items()))


def disassemble(
    eid: str, t: datetime, party: str, obj: str, *lots: NewLot, parts: Sequence[NewItem] = ()
) -> Disassemble:
    return Disassemble(eid, t, f"site-{party}", party, object=obj, parts=tuple(parts), lots=lots)


def transform(eid: str, t: datetime, party: str, inputs: Sequence[str], *outputs: NewLot) -> Transform:
    return Transform(eid, t, f"site-{party}", party, inputs=tuple(inputs), outputs=outputs)


def vin(n: int) -> str:
    from tests.world import vin as world_vin

    return world_vin(n)


def battery(n: int) -> str:
    return f"0A1PE05{n:017d}"


def renamed(event: Event, suffix: str) -> Event:
    return dataclasses.replace(event, event_id=event.event_id + suffix)


__all__ = ["TRACKED_ELEMENTS"]
