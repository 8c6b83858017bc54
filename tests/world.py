"""A small, fixed world for tests: who is who, and helpers that make valid identifiers and events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from epcpy.epc_schemes import SGTIN
from epcpy.epc_schemes.sgtin import SGTINFilterValue

from retrace.app.registry import Registration
from retrace.domain.events import Commission, Disassemble, Event, NewItem, NewLot, Receive, Ship, Transform
from retrace.domain.identifiers import vin_check_digit
from retrace.domain.model import Fate, Licence, Party, ProductModel, RegionCode, Role, Site, Stream

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    """``hours`` after T0."""
    return T0 + timedelta(hours=hours)


def vin(n: int) -> str:
    """A valid VIN numbered ``n`` (ISO 3779 check digit computed)."""
    body = f"LFV3A2{n:011d}"[:17]
    body = body[:8] + "0" + body[9:]
    return body[:8] + vin_check_digit(body) + body[9:]


def battery(kind: str, n: int) -> str:
    """A GB/T 34014 code: ``kind`` is P (pack), M (module) or C (cell)."""
    return f"0A1{kind}E05{n:017d}"


def sgtin_urn(serial: int, item_ref: str = "812345") -> str:
    return f"urn:epc:id:sgtin:0614141.{item_ref}.{serial}"


def sgtin_hex(serial: int, item_ref: str = "812345") -> str:
    return str(
        SGTIN(sgtin_urn(serial, item_ref)).hex(
            binary_coding_scheme=SGTIN.BinaryCodingScheme.SGTIN_96, filter_value=SGTINFilterValue.POS_ITEM
        )
    )


def digital_link(serial: int) -> str:
    """The Digital Link of the same unit as ``sgtin_urn(serial)`` (GTIN 80614141123458)."""
    return f"https://id.gs1.org/01/80614141123458/21/{serial}"


def _party(pid: str, roles: set[Role], region: str = "440300") -> Party:
    return Party(id=pid, name=pid.title(), roles=frozenset(roles), region=RegionCode(region), name_zh=pid)


def registration() -> Registration:
    all_time = (date(2020, 1, 1), date(2030, 12, 31))
    parties = [
        _party("car-maker", {Role.PRODUCER}, "320500"),
        _party("tv-maker", {Role.PRODUCER}, "440300"),
        _party("collector", {Role.COLLECTOR}, "440300"),
        _party("dismantler", {Role.DISMANTLER}, "430100"),
        _party("recycler", {Role.RECYCLER}, "430100"),
        _party("refiner", {Role.RECYCLER}, "510100"),
        _party("workshop", {Role.RECYCLER}, "440300"),  # no licence at all
        _party("carrier", {Role.LOGISTICS}, "440300"),
        _party("reman", {Role.REMANUFACTURER}, "330100"),
    ]
    licences = [
        Licence("LIC-C-1", "collector", frozenset({Stream.WEEE, Stream.ELV, Stream.BATTERY}), *all_time),
        Licence("LIC-D-1", "dismantler", frozenset({Stream.ELV, Stream.BATTERY, Stream.WEEE}), *all_time),
        Licence("LIC-R-1", "recycler", frozenset({Stream.BATTERY, Stream.WEEE, Stream.ELV}), *all_time),
        Licence("LIC-F-1", "refiner", frozenset({Stream.BATTERY}), *all_time),
        Licence("LIC-M-1", "reman", frozenset({Stream.ELV}), *all_time),
    ]
    sites = [Site(f"site-{p.id}", f"{p.name} yard", p.id, p.region) for p in parties]
    models = [
        ProductModel(
            "bev",
            "car-maker",
            Stream.ELV,
            "passenger_car",
            "BEV sedan",
            1_600_000,
            {"steel": 900_000, "aluminium": 150_000, "plastics": 120_000},
        ),
        ProductModel(
            "ncm-pack",
            "car-maker",
            Stream.BATTERY,
            "ncm_pack",
            "NCM pack",
            400_000,
            {"aluminium": 60_000, "copper": 20_000},
        ),
        ProductModel("ncm-module", "car-maker", Stream.BATTERY, "ncm_module", "NCM module", 40_000, {}),
        ProductModel("ncm-cell", "car-maker", Stream.BATTERY, "ncm_cell", "NCM cell", 3_000, {"nickel": 500}),
        ProductModel("engine", "car-maker", Stream.ELV, "engine", "1.5L engine", 120_000, {"steel": 100_000}),
        ProductModel(
            "tv",
            "tv-maker",
            Stream.WEEE,
            "tv",
            "55in LCD TV",
            18_000,
            {"plastics": 7_000, "steel": 5_000, "glass": 3_000},
        ),
    ]
    return Registration(parties=parties, licences=licences, sites=sites, models=models)


# The licence windows of ``licence_windows()``: the lapsed recycler's last day and the new recycler's first.
LAPSED_ON = date(2026, 3, 1)
STARTS_ON = date(2026, 3, 10)


def licence_windows() -> Registration:
    """Two more battery recyclers, on top of ``registration()``, whose licences run for a while only: one lapsed at
    the end of ``LAPSED_ON``, one valid from ``STARTS_ON``.  (The parties of ``registration()`` are licensed for
    all time, and other tests depend on that.)"""
    parties = [
        _party("lapsed-recycler", {Role.RECYCLER}, "430100"),
        _party("new-recycler", {Role.RECYCLER}, "510100"),
    ]
    licences = [
        Licence("LIC-L-1", "lapsed-recycler", frozenset({Stream.BATTERY}), date(2023, 3, 2), LAPSED_ON),
        Licence("LIC-N-1", "new-recycler", frozenset({Stream.BATTERY}), STARTS_ON, date(2029, 3, 9)),
    ]
    sites = [Site(f"site-{p.id}", f"{p.name} yard", p.id, p.region) for p in parties]
    return Registration(parties=parties, licences=licences, sites=sites, models=[])


def commission(
    eid: str, t: datetime, party: str, *items: tuple[tuple[str, ...], str], **kw: Any
) -> Commission:
    return Commission(
        eid,
        t,
        f"site-{party}",
        party,
        items=tuple(NewItem(ids, model, kw.get("mass_g")) for ids, model in items),
    )


def ship(eid: str, t: datetime, party: str, to: str, *objects: str) -> Ship:
    return Ship(eid, t, f"site-{party}", party, objects=objects, to_party_id=to, to_site_id=f"site-{to}")


def receive(eid: str, t: datetime, party: str, *objects: str) -> Receive:
    return Receive(eid, t, f"site-{party}", party, objects=objects)


def handover(prefix: str, t: datetime, frm: str, to: str, *objects: str) -> list[Event]:
    return [
        ship(f"{prefix}-ship", t, frm, to, *objects),
        receive(f"{prefix}-recv", t + timedelta(hours=2), to, *objects),
    ]


def lot(code: str, material: str, kg: float, fate: Fate = Fate.RECYCLING) -> NewLot:
    return NewLot(code, material, int(kg * 1000), fate)


def battery_chain() -> list[Event]:
    """A BEV with an NCM pack (2 modules × 2 cells) from the car maker to lithium carbonate at the refiner.

    Lineage: vehicle → pack → module → cell → black mass → lithium carbonate."""
    from retrace.domain.events import Aggregate

    car, pack = vin(1), battery("P", 1)
    modules = [battery("M", 1), battery("M", 2)]
    cells = [battery("C", i) for i in range(1, 5)]
    events: list[Event] = [
        commission("c-cells", at(0), "car-maker", *[((c,), "ncm-cell") for c in cells]),
        commission("c-modules", at(0.5), "car-maker", *[((m,), "ncm-module") for m in modules], mass_g=8_000),
        Aggregate("a-m1", at(1), "site-car-maker", "car-maker", parent=modules[0], children=tuple(cells[:2])),
        Aggregate("a-m2", at(1), "site-car-maker", "car-maker", parent=modules[1], children=tuple(cells[2:])),
        commission("c-pack", at(2), "car-maker", ((pack,), "ncm-pack"), mass_g=20_000),
        Aggregate("a-pack", at(3), "site-car-maker", "car-maker", parent=pack, children=tuple(modules)),
        commission("c-car", at(4), "car-maker", ((car,), "bev")),
        Aggregate("a-car", at(5), "site-car-maker", "car-maker", parent=car, children=(pack,)),
        *handover("h1", at(100), "car-maker", "dismantler", car),
        Disassemble(
            "d-car",
            at(110),
            "site-dismantler",
            "dismantler",
            object=car,
            lots=(lot("STEEL-001", "steel", 900), lot("ALU-001", "aluminium", 140)),
        ),
        *handover("h2", at(120), "dismantler", "recycler", pack),
        Disassemble(
            "d-pack",
            at(130),
            "site-recycler",
            "recycler",
            object=pack,
            lots=(lot("PACK-ALU-1", "aluminium", 4),),
        ),
        Disassemble(
            "d-m1",
            at(131),
            "site-recycler",
            "recycler",
            object=modules[0],
            lots=(lot("MOD-CU-1", "copper", 1),),
        ),
        Disassemble(
            "d-m2",
            at(131),
            "site-recycler",
            "recycler",
            object=modules[1],
            lots=(lot("MOD-CU-2", "copper", 1),),
        ),
        Transform(
            "t-bm",
            at(140),
            "site-recycler",
            "recycler",
            inputs=tuple(cells),
            outputs=(lot("BM-0001", "black_mass", 8), lot("CELL-AL-CU-1", "aluminium", 2.5)),
        ),
        *handover("h3", at(150), "recycler", "refiner", "BM-0001"),
        Transform(
            "t-li",
            at(160),
            "site-refiner",
            "refiner",
            inputs=("BM-0001",),
            outputs=(
                lot("LI2CO3-0001", "lithium_carbonate", 0.9),
                lot("NISO4-0001", "nickel_sulfate", 3.2, Fate.RECYCLING),
                lot("RESIDUE-0001", "residue", 2.5, Fate.DISPOSAL),
            ),
        ),
    ]
    return events
