"""The demo data set: a realistic, fixed world of parties, models and a few hundred items with full chains.

``demo_registration()`` and ``demo_events()`` give the same data on every call: event times lie between
2025-01-02 and 2026-09-30 (+08:00), event ids run ``demo-000001`` onwards in time order.  ``demo_notes()`` names
the identifiers worth showing (a vehicle whose battery ends up as lithium carbonate, a TV's Digital Link …) and the
deliberate irregularities an audit should find.  ``docs/demo-data.md`` describes all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from random import Random

from retrace.app.registry import Registration
from retrace.demo import catalogue as cat
from retrace.demo import flows
from retrace.demo.codes import CST, Codes
from retrace.demo.world import FACILITY_ORDER, Script, Thing, World
from retrace.domain.events import Correct, Event, Receive, Ship, Weigh
from retrace.domain.model import Fate

SEED = 20250101


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


# Units made by producers in 2025 and sold to households; some come back early.
NEW_WEEE = {
    "yh-led-55": 40,
    "yh-bcd-216": 30,
    "yh-xqg-100": 30,
    "yh-kfr-35-r32": 30,
    "bc-desktop-2025": 20,
    "bc-laptop-2025": 20,
}
RETURN_RATE = 0.15
# Units from before the platform, tagged at intake by collectors (2025-02 to 2026-09).
LEGACY_WEEE = {
    "yh-crt-21": 60,
    "yh-lcd-42": 20,
    "yh-bcd-180": 20,
    "yh-xqb-50": 20,
    "yh-kfr-35-r22": 20,
    "bc-desktop-2012": 15,
    "bc-laptop-2014": 15,
}
ICE_CARS = {cat.SUZHOU_ELV: 15, cat.PENGCHENG_ELV: 8}  # plus the light car of the story below
SPARE_PACKS = 4


@dataclass(frozen=True)
class Irregularity:
    """A deliberate oddity capture accepts and an audit should find."""

    code: str
    title: str
    title_zh: str
    party_id: str
    identifiers: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class DemoNotes:
    """Identifiers worth showing (by what they are), and the deliberate irregularities."""

    showcase: dict[str, str]
    irregularities: tuple[Irregularity, ...]


def demo_registration() -> Registration:
    return Registration(parties=cat.PARTIES, licences=cat.LICENCES, sites=cat.SITES, models=cat.MODELS)


def demo_events() -> list[Event]:
    return list(_build()[0])


def demo_notes() -> DemoNotes:
    return _build()[1]


def _downstream(thing: Thing, material: str) -> Thing | None:
    """The first lot of ``material`` that ``thing`` became, following disassemblies and transformations."""
    stack = [thing]
    seen: set[int] = set()
    while stack:
        current = stack.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.lot and current.what == material:
            return current
        stack.extend(current.into)
    return None


@lru_cache(maxsize=1)
def _build() -> tuple[tuple[Event, ...], DemoNotes]:
    w = World(Random(SEED), Codes(), Script())
    script = w.script

    # -- WEEE -------------------------------------------------------------------------------------------------
    placed: list[flows.Placed] = []
    for model, n in NEW_WEEE.items():
        placed += flows.make_and_sell(w, model, n, _at("2025-01-06T08:00"), _at("2025-09-30T17:00"))
    collected = flows.collect_returns(w, placed, RETURN_RATE)
    for model, n in LEGACY_WEEE.items():
        collected += flows.intake_legacy(w, model, n, _at("2025-02-03T08:00"), _at("2026-09-10T17:00"))

    # A correction: the Hangzhou collector types 240 kg for a 24 kg CRT TV and corrects it (EPCIS error declaration).
    t = _at("2025-06-17T10:05")
    (crt,) = w.commission(
        cat.XIHU, cat.site_id(cat.XIHU), t, [((w.codes.intake(cat.XIHU, t.date()),), "yh-crt-21", None)]
    )
    typo = w.weigh(crt, cat.XIHU, t + timedelta(minutes=3), 240_300)
    fixed = w.weigh(crt, cat.XIHU, t + timedelta(minutes=12), 24_300)
    script.add(
        Correct(
            script.eid(),
            t + timedelta(minutes=11),
            cat.site_id(cat.XIHU),
            cat.XIHU,
            target_event_id=typo.event_id,
            corrective_event_ids=(fixed.event_id,),
            reason="称重录入错误，多输入一位 / weighing typo: one digit too many",
        )
    )
    crt.at = t + timedelta(minutes=12)
    w.tag("corrected_crt", crt)
    collected.append((crt, flows.HANGZHOU))

    # An air conditioner collected in Shenzhen is shipped to the dismantler with two CRT TVs and never arrives.
    t = _at("2025-07-08T09:40")
    (ac,) = w.make_appliances("yh-kfr-35-r32", 1, t, rfid=True)
    w.ship([ac], cat.YUEHUA, cat.HOUSEHOLDS_SZ, t + timedelta(days=2), (3, 5))
    w.hand_over([ac], cat.HOUSEHOLDS_SZ, cat.LVYUAN, _at("2026-05-14T15:20"))
    t = _at("2026-05-16T11:00")
    tvs = w.commission(
        cat.LVYUAN,
        cat.site_id(cat.LVYUAN),
        t,
        [
            ((w.codes.intake(cat.LVYUAN, t.date()),), "yh-crt-21", 23_100),
            ((w.codes.intake(cat.LVYUAN, t.date()),), "yh-crt-21", 25_800),
        ],
    )
    ship_t, recv_t = _at("2026-05-18T09:15"), _at("2026-05-19T14:30")
    truck = [ac, *tvs]
    script.add(
        Ship(
            script.eid(),
            ship_t,
            cat.site_id(cat.LVYUAN),
            cat.LVYUAN,
            objects=tuple(x.refs[-1] if x is ac else x.ref for x in truck),
            to_party_id=cat.HUANAN,
            to_site_id=cat.site_id(cat.HUANAN),
        )
    )
    script.add(
        Receive(
            script.eid(),
            recv_t,
            cat.site_id(cat.HUANAN),
            cat.HUANAN,
            objects=tuple(x.ref for x in tvs),
            from_party_id=cat.LVYUAN,
        )
    )
    w.tag("missing_ac", ac)
    for tv in tvs:
        tv.at = recv_t

    received = flows.to_dismantlers(w, collected) + [(tv, flows.SHENZHEN) for tv in tvs]

    # One plastics lot at the Chengdu dismantler goes to a buyer who is not on the platform: fate unknown.
    unknown: list[bool] = []

    def unknown_fate(unit: Thing, party: str, when: datetime) -> dict[str, Fate] | None:
        if party == cat.SHUDU and not unknown and when >= _at("2026-03-01T00:00"):
            unknown.append(True)
            return {"plastics": Fate.UNKNOWN}
        return None

    flows.dismantle_units(w, received, unknown_fate)

    # -- vehicles and traction batteries ---------------------------------------------------------------------
    models = ["jn-ev-ncm", "jn-ev-lfp"] * 10
    cars = flows.make_evs(w, models, _at("2025-01-06T08:00"), _at("2025-04-30T17:00"))
    ncm = [c for c in cars if c.what == "jn-ev-ncm"]
    lfp = [c for c in cars if c.what == "jn-ev-lfp"]
    fleet, private = ncm[:6] + lfp[:6], ncm[6:] + lfp[6:]
    flows.sell_cars(w, fleet, cat.SUDA)
    flows.sell_cars(w, private, cat.OWNERS_SUZHOU)

    # Spare packs that failed end-of-line tests go straight from the battery maker to the whitelisted recycler.
    spares = w.make_packs("sl-ncm-pack-96s", SPARE_PACKS, _at("2025-03-11T09:00"))
    w.ship(spares, cat.SHULI, cat.XIANGXUN, _at("2025-04-08T10:00"), (2, 3))
    w.stock[cat.XIANGXUN].extend(spares)

    def scrap(car: Thing, owner: str, elv: str, when: str) -> Thing:
        pack = flows.scrap_car(w, car, owner, elv, _at(when))
        if pack is None:
            raise AssertionError(f"demo car {car.ref} could not be scrapped by {when}")
        return pack

    # Fleet write-offs in Shenzhen (accidents), dismantled by the Shenzhen ELV recycler.
    p1 = scrap(ncm[0], cat.SUDA, cat.PENGCHENG_ELV, "2026-01-12T10:00")
    p2 = scrap(ncm[1], cat.SUDA, cat.PENGCHENG_ELV, "2026-03-09T10:00")
    p3 = scrap(ncm[2], cat.SUDA, cat.PENGCHENG_ELV, "2025-12-15T10:00")
    p4 = scrap(ncm[3], cat.SUDA, cat.PENGCHENG_ELV, "2026-01-20T10:00")
    p5 = scrap(lfp[0], cat.SUDA, cat.PENGCHENG_ELV, "2026-02-16T10:00")
    p6 = scrap(lfp[1], cat.SUDA, cat.PENGCHENG_ELV, "2026-04-13T10:00")
    # Private cars in Suzhou.
    p7 = scrap(ncm[6], cat.OWNERS_SUZHOU, cat.SUZHOU_ELV, "2026-03-02T10:00")
    p8 = scrap(lfp[6], cat.OWNERS_SUZHOU, cat.SUZHOU_ELV, "2025-11-10T10:00")
    p9 = scrap(lfp[7], cat.OWNERS_SUZHOU, cat.SUZHOU_ELV, "2025-12-01T10:00")

    for pack in (p1, p2, p5, p6):
        flows.send_pack(w, pack, cat.PENGCHENG_ELV, cat.XIANGXUN, w.later(pack.at, 1, 6), via_carrier=True)
    w.hold.add(id(p6))  # stays at the carrier's depot
    # Two packs go to the Dongguan recycler while it is still on the whitelist (it lapses on 2026-03-31).
    for pack in (p3, p4):
        flows.send_pack(w, pack, cat.PENGCHENG_ELV, cat.HONGDA, _at("2026-02-03T09:30"), via_carrier=False)
    flows.send_pack(w, p7, cat.SUZHOU_ELV, cat.XIANGXUN, w.later(p7.at, 1, 5), via_carrier=False)
    for pack in (p8, p9):
        flows.send_pack(w, pack, cat.SUZHOU_ELV, cat.CASCADE, w.later(pack.at, 1, 5), via_carrier=False)

    # Petrol cars from before the platform, and one that arrives stripped of its engine, gearbox and catalyst.
    for elv, n in ICE_CARS.items():
        for car in flows.intake_cars(w, elv, n, _at("2025-02-03T08:00"), _at("2026-09-05T17:00")):
            flows.dismantle_car(w, car, elv, w.later(car.at, 2, 30))
    t = _at("2026-04-21T14:10")
    (light,) = w.commission(
        cat.SUZHOU_ELV,
        cat.site_id(cat.SUZHOU_ELV),
        t,
        [((w.codes.vin("jn-sedan-16", 2012),), "jn-sedan-16", None)],
    )
    w.weigh(light, cat.SUZHOU_ELV, t + timedelta(minutes=20), 1_012_000)
    flows.dismantle_car(
        w,
        light,
        cat.SUZHOU_ELV,
        _at("2026-04-24T09:30"),
        missing=frozenset({"jn-engine-16", "jn-gearbox-5mt", "catalytic_converter"}),
    )

    # -- downstream ------------------------------------------------------------------------------------------
    def hongda() -> None:
        # Opens one pack after its listing lapsed; the other stays in its warehouse.
        flows.open_packs(
            w, cat.HONGDA, lambda p: _at("2026-05-12T10:20") if p is p3 else None, into_cells=False
        )

    w.run_facilities(
        FACILITY_ORDER,
        {
            cat.SHUNCHANG: lambda: flows.forward_by_carrier(w),
            cat.XIANGXUN: lambda: flows.battery_recycler(w),
            cat.HONGDA: hongda,
            cat.CASCADE: lambda: flows.second_life(w),
            cat.REMAN: lambda: flows.remanufacture(w),
        },
    )

    events = tuple(script.finish("demo", 1, 6))
    return events, _notes(w, events, p7, p5, p3, p4, p6, light, ncm[6])


def _notes(
    w: World,
    events: tuple[Event, ...],
    ncm_pack: Thing,
    lfp_pack: Thing,
    lapsed_opened: Thing,
    lapsed_held: Thing,
    stuck: Thing,
    light: Thing,
    showcase_car: Thing,
) -> DemoNotes:
    def first(material: str, start: Thing) -> str:
        found = _downstream(start, material)
        if found is None:
            raise AssertionError(f"no {material} downstream of {start.ref}")
        return found.ref

    def unit_of(model: str) -> Thing:
        """The first unit of ``model`` that a dismantler without irregularities took apart."""
        return next(
            x for x in w.things.values() if x.what == model and x.treated_by in (cat.HUANAN, cat.QIANTANG)
        )

    tv = unit_of("yh-led-55")
    fridge = unit_of("yh-bcd-216")
    pack = ncm_pack
    module = pack.into[0]
    cell = module.into[0]
    unknown = next(x for x in w.things.values() if x.fate is Fate.UNKNOWN)
    high_yield = tuple(
        x.ref for x in w.things.values() if x.what == "yh-crt-21" and x.treated_by == cat.XIANGJIANG
    )[:3]
    granules = next(x.ref for x in w.things.values() if x.what == "copper_granules")
    corrected = w.tagged["corrected_crt"]
    weighs = [e for e in events if isinstance(e, Weigh) and e.object == corrected.ref]
    correction = next(e for e in events if isinstance(e, Correct))
    showcase = {
        "vehicle_vin": showcase_car.ref,
        "vehicle_pack": pack.ref,
        "vehicle_module": module.ref,
        "vehicle_cell": cell.ref,
        "vehicle_black_mass_lot": first("black_mass", showcase_car),
        "vehicle_lithium_carbonate_lot": first("lithium_carbonate", showcase_car),
        "vehicle_nickel_sulfate_lot": first("nickel_sulfate_hexahydrate", showcase_car),
        "lfp_pack": lfp_pack.ref,
        "lfp_lithium_carbonate_lot": first("lithium_carbonate", lfp_pack),
        "lfp_iron_phosphate_lot": first("iron_phosphate", lfp_pack),
        "tv_digital_link": tv.refs[0],
        "tv_plastics_lot": next(x.ref for x in tv.into if x.what == "plastics"),
        "fridge_digital_link": fridge.refs[0],
        "fridge_rfid_sgtin96": fridge.refs[1],
        "fridge_epc_urn": fridge.refs[2],
        "fridge_compressor": next(x.ref for x in fridge.into if not x.lot),
        "second_life_cabinet": w.tagged["ess"].ref,
        "corrected_crt": corrected.ref,
        "correction_event": correction.event_id,
        "corrected_weigh_event": weighs[0].event_id,
    }
    irregularities = (
        Irregularity(
            "LAPSED_LICENCE_HOLDING",
            "Batteries held by a recycler whose listing lapsed",
            "动力电池由资质已失效的企业持有",
            cat.HONGDA,
            (lapsed_opened.ref, lapsed_held.ref),
            "MIIT-NEVB-2022-04-17 valid to 2026-03-31; both packs received 2026-02; capture accepted them "
            "because the listing was valid on the day of receipt.",
        ),
        Irregularity(
            "TREATED_AFTER_LICENCE_LAPSE",
            "Pack opened after the licence lapsed",
            "资质失效后拆解电池包",
            cat.HONGDA,
            (lapsed_opened.ref,),
            "Disassembled on 2026-05-12; the capture rules check licences on custody, not on treatment.",
        ),
        Irregularity(
            "MISSING_IN_TRANSIT",
            "Item shipped to a dismantler and never received",
            "发往拆解企业后未签收",
            cat.HUANAN,
            w.tagged["missing_ac"].refs,
            "Shipped by the Shenzhen collector on 2026-05-18 with two CRT TVs; only the TVs were received.",
        ),
        Irregularity(
            "STUCK_AT_CARRIER",
            "Pack held by the hazmat carrier for months",
            "电池包长期滞留承运商",
            cat.SHUNCHANG,
            (stuck.ref,),
            "Received at the carrier's depot in 2026-04 and never forwarded.",
        ),
        Irregularity(
            "HIGH_YIELD",
            "Dismantler reporting outputs equal to 100 % of inputs",
            "拆解产出率异常偏高（100%）",
            cat.XIANGJIANG,
            high_yield,
            "Every unit's outputs add up to its recorded mass to the gram; its collector records nominal "
            "masses, so identical units give identical figures (nominal compositions copied, not weighed).",
        ),
        Irregularity(
            "COPPER_OUT_EXCEEDS_IN",
            "More copper shipped out than received",
            "铜产出多于铜投入",
            cat.CHAOYANG,
            (granules,),
            "Books copper, cable and circuit-board scrap together as copper granules at 90-97 % of input, "
            "though cable scrap is about 45 % copper and circuit boards about 20 %: it produces and ships "
            "far more copper than it receives.",
        ),
        Irregularity(
            "VEHICLE_STRIPPED_BEFORE_INTAKE",
            "Vehicle arriving without engine, gearbox and catalyst",
            "车辆进厂前已被拆走发动机、变速器和三元催化器",
            cat.SUZHOU_ELV,
            (light.ref,),
            "Weighed 1,012 kg against a nominal 1,320 kg; the dismantling record has no engine, gearbox or "
            "catalytic converter.",
        ),
        Irregularity(
            "UNKNOWN_FATE",
            "Plastics lot sold to a buyer outside the platform",
            "塑料批次去向不明",
            cat.SHUDU,
            (unknown.ref,),
            "Recorded with fate unknown and never shipped on the platform.",
        ),
    )
    return DemoNotes(showcase, irregularities)
