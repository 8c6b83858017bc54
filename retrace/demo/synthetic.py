"""Synthetic data of any size, for benchmarks and load tests: the demo's world, many more items.

``synthetic(items, seed)`` gives the demo's master data and an iterator of capture batches.  Items are written in
cohorts of ``COHORT`` top-level items, each a complete little world (production or intake, collection,
dismantling, every downstream facility) with its own random generator seeded from ``(seed, cohort number)``;
only one cohort's events are in memory at a time, so millions of items stream.  Event times lie between
2025-01-02 and 2026-09-30 (+08:00) inside each cohort; a later cohort's events may be earlier than an earlier
cohort's last ones, which the capture rules allow (they only order events about the same objects).

A top-level item is a unit a producer or a collector commissions: an appliance, a car (with its pack, modules and
cells), or a spare pack; the parts, lots, cells and storage cabinets made from them come on top.  Identifiers are
drawn from number spaces of their own (``LJS`` VINs, ``SLX`` battery codes, GS1 serials above 10^11, ``S<seed>-``
internal codes), so the demo and one synthetic data set per seed can share a store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from random import Random

from retrace.app.registry import Registration
from retrace.demo import catalogue as cat
from retrace.demo import flows
from retrace.demo.codes import CST, Codes
from retrace.demo.dataset import LEGACY_WEEE, NEW_WEEE, demo_registration
from retrace.demo.world import END, FACILITY_ORDER, Script, Thing, World
from retrace.domain.events import Event

COHORT = 200
# Shares of top-level items: new appliances, appliances tagged at intake, petrol cars, electric cars, spare packs.
MIX = {"weee_new": 40, "weee_legacy": 46, "ice": 8, "bev": 5, "spare_pack": 1}
RETURN_RATE = 0.12
WRITE_OFF_RATE = 0.35
HONGDA_LAST_SHIPMENT = datetime(2026, 3, 25, 18, 0, tzinfo=CST)  # its listing lapses on 2026-03-31


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def synthetic(items: int, seed: int = 42, batch: int = 500) -> tuple[Registration, Iterator[list[Event]]]:
    """The demo's master data and ``items`` top-level items' events, in capture batches of at most ``batch``."""
    if items < 0:
        raise ValueError("items must be 0 or more")
    if not 1 <= batch <= 1000:
        raise ValueError("batch must be between 1 and 1000 (the capture limit)")
    Codes(seed)  # refuses a seed outside its number space before anything is generated
    return demo_registration(), _batches(items, seed, batch)


def _batches(items: int, seed: int, size: int) -> Iterator[list[Event]]:
    pending: list[Event] = []
    for event in synthetic_events(items, seed):
        pending.append(event)
        if len(pending) == size:
            yield pending
            pending = []
    if pending:
        yield pending


def synthetic_events(items: int, seed: int = 42) -> Iterator[Event]:
    """The events one by one, cohort after cohort, numbered ``syn<seed>-000000001`` onwards."""
    for _, events in synthetic_cohorts(items, seed):
        yield from events


def synthetic_cohorts(items: int, seed: int = 42) -> Iterator[tuple[int, list[Event]]]:
    """``synthetic_events`` a cohort at a time: how many top-level items it holds, and its events (``trace seed``
    counts its progress in items with it)."""
    codes = Codes(seed)
    numbered = 0
    for number, first in enumerate(range(0, items, COHORT)):
        size = min(COHORT, items - first)
        world = World(Random(f"retrace-synthetic:{seed}:{number}"), codes, Script())
        _cohort(world, size)
        events = world.script.finish(f"syn{seed}", numbered + 1, 9)
        numbered += len(events)
        yield size, events


def _cohort(w: World, n: int) -> None:
    rng = w.rng
    kinds = Counter(rng.choices(list(MIX), weights=list(MIX.values()), k=n))

    # WEEE
    collected: list[flows.Placed] = []
    new_models = rng.choices(list(NEW_WEEE), weights=list(NEW_WEEE.values()), k=kinds["weee_new"])
    placed: list[flows.Placed] = []
    for model, count in sorted(Counter(new_models).items()):
        placed += flows.make_and_sell(w, model, count, _at("2025-01-06T08:00"), _at("2025-12-31T17:00"))
    collected += flows.collect_returns(w, placed, RETURN_RATE)
    legacy_models = rng.choices(list(LEGACY_WEEE), weights=list(LEGACY_WEEE.values()), k=kinds["weee_legacy"])
    for model, count in sorted(Counter(legacy_models).items()):
        collected += flows.intake_legacy(w, model, count, _at("2025-02-03T08:00"), _at("2026-09-10T17:00"))
    flows.dismantle_units(w, flows.to_dismantlers(w, collected))

    # Petrol cars from before the platform
    for _ in range(kinds["ice"]):
        elv = rng.choice((cat.SUZHOU_ELV, cat.PENGCHENG_ELV))
        for car in flows.intake_cars(w, elv, 1, _at("2025-02-03T08:00"), _at("2026-09-05T17:00")):
            flows.dismantle_car(w, car, elv, w.later(car.at, 2, 30))

    # Electric cars: built, sold, some written off; their packs go where the data set's policy sends them
    models = [rng.choice(("jn-ev-ncm", "jn-ev-lfp")) for _ in range(kinds["bev"])]
    for car in flows.make_evs(w, models, _at("2025-01-06T08:00"), _at("2025-10-31T17:00")):
        fleet = rng.random() < 0.6
        owner, elv = (cat.SUDA, cat.PENGCHENG_ELV) if fleet else (cat.OWNERS_SUZHOU, cat.SUZHOU_ELV)
        flows.sell_cars(w, [car], owner)
        if rng.random() >= WRITE_OFF_RATE:
            continue
        pack = flows.scrap_car(w, car, owner, elv, w.later(car.at, 60, 450))
        if pack is not None:
            _send(w, pack, elv)

    # Spare packs that failed end-of-line tests
    for _ in range(kinds["spare_pack"]):
        t = flows.between(w, _at("2025-01-06T08:00"), _at("2026-06-30T17:00"))
        packs = w.make_packs(rng.choice(("sl-ncm-pack-96s", "sl-lfp-pack-96s")), 1, t)
        if w.ship(packs, cat.SHULI, cat.XIANGXUN, w.later(packs[0].at, 3, 20), (2, 3)):
            w.stock[cat.XIANGXUN].extend(packs)

    def hongda() -> None:
        # Opens about half of its packs, weeks or months after receipt, lapsed listing or not.
        flows.open_packs(
            w, cat.HONGDA, lambda p: w.later(p.at, 20, 120) if rng.random() < 0.5 else None, into_cells=False
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


def _send(w: World, pack: Thing, elv: str) -> None:
    t = w.later(pack.at, 1, 6)
    if t > END:
        return
    lfp = pack.what == "sl-lfp-pack-96s"
    if lfp and w.rng.random() < 0.4:
        flows.send_pack(w, pack, elv, cat.CASCADE, t, via_carrier=elv == cat.PENGCHENG_ELV)
    elif (
        not lfp
        and elv == cat.PENGCHENG_ELV
        and t <= HONGDA_LAST_SHIPMENT - timedelta(days=3)
        and w.rng.random() < 0.2
    ):
        flows.send_pack(w, pack, elv, cat.HONGDA, t, via_carrier=False)
    else:
        flows.send_pack(w, pack, elv, cat.XIANGXUN, t, via_carrier=elv == cat.PENGCHENG_ELV)
