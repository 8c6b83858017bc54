"""The chains of the three streams, from production or intake to the facilities downstream.

Both the demo data set and synthetic data are written with these functions; the demo adds its stories around
them.  Every function takes the ``World`` it writes into and returns the things it made, so a caller can pick
particular ones (the showcase vehicle, the item that goes missing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from retrace.demo import catalogue as cat
from retrace.demo.codes import CST
from retrace.demo.world import END, Thing, World, working_time
from retrace.domain.events import Remanufacture
from retrace.domain.model import Fate


@dataclass(frozen=True)
class Region:
    """Where appliances are used, collected and dismantled."""

    households: str
    collector: str
    dismantler: str


SHENZHEN = Region(cat.HOUSEHOLDS_SZ, cat.LVYUAN, cat.HUANAN)
CHANGSHA = Region(cat.HOUSEHOLDS_CS, cat.XINGSHA, cat.XIANGJIANG)
CHENGDU = Region(cat.HOUSEHOLDS_CD, cat.TIANFU, cat.SHUDU)
HANGZHOU = Region(cat.HOUSEHOLDS_HZ, cat.XIHU, cat.QIANTANG)
REGIONS = (SHENZHEN, CHANGSHA, CHENGDU, HANGZHOU)

# The Changsha collector records units at their nominal mass instead of weighing them, and its dismantler copies
# nominal compositions into its output records: the "high yield" facility of the demo.
UNWEIGHED_COLLECTORS = frozenset({cat.XINGSHA})
EXACT_DISMANTLERS = frozenset({cat.XIANGJIANG})
RFID_CATEGORIES = frozenset({"refrigerator", "washing_machine", "air_conditioner"})

Placed = tuple[Thing, Region]


def between(world: World, start: datetime, end: datetime) -> datetime:
    days = max(0, (end - start).days)
    return working_time(start.date() + timedelta(days=world.rng.randint(0, days)), world.rng)


# -- WEEE -------------------------------------------------------------------------------------------------------


def make_and_sell(
    world: World, model_id: str, n: int, start: datetime, end: datetime, regions: Sequence[Region] = REGIONS
) -> list[Placed]:
    """A producer makes ``n`` units in batches between ``start`` and ``end`` and delivers them to households."""
    spec = cat.SPECS[model_id]
    site = cat.site_id(
        spec.producer, "hefei" if spec.category in ("refrigerator", "washing_machine") else None
    )
    out: list[Placed] = []
    left = n
    while left > 0:
        size = min(left, world.rng.randint(4, 12))
        left -= size
        t = between(world, start, end)
        units = world.make_appliances(model_id, size, t, rfid=spec.category in RFID_CATEGORIES)
        region = world.rng.choice(regions)
        if world.ship(units, spec.producer, region.households, world.later(t, 1, 5), (2, 8), frm_site=site):
            out.extend((u, region) for u in units)
    return out


def collect_returns(world: World, placed: Sequence[Placed], rate: float) -> list[Placed]:
    """Some units come back early (transport damage, defects, trade-in): the collector takes them from homes."""
    out: list[Placed] = []
    for unit, region in placed:
        if world.rng.random() >= rate:
            continue
        t = world.later(unit.at, 30, 420)
        if t > END - timedelta(days=20):
            continue
        world.hand_over([unit], region.households, region.collector, t)
        out.append((unit, region))
    return out


def intake_legacy(
    world: World, model_id: str, n: int, start: datetime, end: datetime, regions: Sequence[Region] = REGIONS
) -> list[Placed]:
    """Collectors tag units sold before the platform existed, one day's intake per event, weighing each unit."""
    spec = cat.SPECS[model_id]
    days: dict[tuple[Region, datetime], int] = defaultdict(int)
    for _ in range(n):
        t = between(world, start, end)
        days[(world.rng.choice(regions), t.replace(hour=17, minute=0))] += 1
    out: list[Placed] = []
    for (region, t), count in sorted(days.items(), key=lambda kv: (kv[0][1], kv[0][0].collector)):
        specs: list[tuple[tuple[str, ...], str, int | None]] = []
        for _ in range(count):
            mass = (
                None
                if region.collector in UNWEIGHED_COLLECTORS
                else int(spec.mass_g * world.rng.uniform(0.88, 1.08))
            )
            specs.append(((world.codes.intake(region.collector, t.date()),), model_id, mass))
        units = world.commission(region.collector, cat.site_id(region.collector), t, specs)
        out.extend((u, region) for u in units)
    return out


def to_dismantlers(world: World, collected: Sequence[Placed]) -> list[Placed]:
    """Each collector sends what it gathered in a week to its dismantler on the following Monday or Tuesday."""
    weeks: dict[tuple[Region, datetime], list[Thing]] = defaultdict(list)
    for unit, region in collected:
        monday = (unit.at - timedelta(days=unit.at.weekday())).replace(hour=8, minute=0)
        weeks[(region, monday)].append(unit)
    out: list[Placed] = []
    for (region, monday), units in sorted(weeks.items(), key=lambda kv: (kv[0][1], kv[0][0].collector)):
        ready = max(u.at for u in units)
        t = world.later(max(monday + timedelta(days=7), ready), 0, 1)
        if world.ship(units, region.collector, region.dismantler, t, (0, 2)):
            out.extend((u, region) for u in units)
    return out


def dismantle_units(
    world: World,
    received: Sequence[Placed],
    fates: Callable[[Thing, str, datetime], dict[str, Fate] | None] | None = None,
) -> None:
    """Dismantlers take each unit apart within days; units tagged by the producer are weighed first."""
    for unit, region in received:
        party = region.dismantler
        t = world.later(unit.at, 1, 20)
        if t > END:
            continue
        exact = party in EXACT_DISMANTLERS
        if not exact and not unit.spec.legacy:
            world.weigh(
                unit, party, t - timedelta(minutes=30), int(unit.mass_g * world.rng.uniform(0.97, 1.0))
            )
        override = fates(unit, party, t) if fates else None
        world.stock[party].extend(world.dismantle(unit, party, t, exact=exact, fates=override))


# -- vehicles and batteries ----------------------------------------------------------------------------------


def intake_cars(world: World, elv: str, n: int, start: datetime, end: datetime) -> list[Thing]:
    """An ELV recycler takes in petrol cars sold before the platform: codes the VIN, weighs, dismantles."""
    out: list[Thing] = []
    for _ in range(n):
        t = between(world, start, end)
        year = world.rng.randint(2009, 2013)
        (car,) = world.commission(
            elv, cat.site_id(elv), t, [((world.codes.vin("jn-sedan-16", year),), "jn-sedan-16", None)]
        )
        world.weigh(car, elv, t + timedelta(minutes=25), int(car.mass_g * world.rng.uniform(0.96, 1.01)))
        car.at = t + timedelta(minutes=25)
        out.append(car)
    return out


def dismantle_car(
    world: World, car: Thing, elv: str, t: datetime, missing: frozenset[str] = frozenset()
) -> None:
    """Pre-treatment and dismantling; engines and gearboxes worth it go to remanufacturing."""
    if t > END:
        return
    fates = {
        "jn-engine-16": Fate.REMANUFACTURE if world.rng.random() < 0.7 else Fate.RECYCLING,
        "jn-gearbox-5mt": Fate.REMANUFACTURE if world.rng.random() < 0.5 else Fate.RECYCLING,
    }
    world.stock[elv].extend(world.dismantle(car, elv, t, missing=missing, fates=fates))


def make_evs(world: World, models: Sequence[str], start: datetime, end: datetime) -> list[Thing]:
    """Battery maker → car maker: packs built and coded (cells into modules into packs), each built into a car."""
    cars: list[Thing] = []
    for model in models:
        t = between(world, start, end)
        (pack,) = world.make_packs(cat.PACK_OF_VEHICLE[model], 1, t)
        arrive = world.ship(
            [pack], cat.SHULI, cat.JIANGNAN, world.later(pack.at + timedelta(hours=2), 1, 3), (2, 4)
        )
        if arrive is None:
            continue
        cars.extend(world.make_vehicles([pack], world.later(arrive, 1, 6)))
    return cars


def sell_cars(world: World, cars: Sequence[Thing], owner: str) -> None:
    for car in cars:
        world.ship([car], cat.JIANGNAN, owner, world.later(car.at, 3, 20), (1, 6))


def scrap_car(world: World, car: Thing, owner: str, elv: str, t: datetime) -> Thing | None:
    """The owner hands a written-off car to the ELV recycler, which weighs and dismantles it; returns its pack."""
    arrive = world.ship([car], owner, elv, t, (0, 1))
    if arrive is None:
        return None
    world.weigh(car, elv, arrive + timedelta(minutes=40), int(car.mass_g * world.rng.uniform(0.985, 1.0)))
    t_dis = world.later(arrive + timedelta(minutes=40), 1, 12)
    if t_dis > END:
        return None
    pack = car.children[0]
    dismantle_car(world, car, elv, t_dis)
    world.stock[elv].remove(pack)
    return pack


def send_pack(world: World, pack: Thing, frm: str, to: str, t: datetime, via_carrier: bool) -> bool:
    """Packs travel as dangerous goods; from far away they go through the hazmat carrier's depot."""
    if via_carrier:
        arrive = world.ship([pack], frm, cat.SHUNCHANG, t, (0, 1))
        if arrive is None:
            return False
        world.stock[cat.SHUNCHANG].append(pack)
        world.carrier_destinations[id(pack)] = to
        return True
    if world.ship([pack], frm, to, t, (1, 3)) is None:
        return False
    world.stock[to].append(pack)
    return True


# -- facility handlers --------------------------------------------------------------------------------------


def forward_by_carrier(world: World) -> None:
    keep: list[Thing] = []
    for thing in world.stock[cat.SHUNCHANG]:
        dest = world.carrier_destinations.get(id(thing))
        if dest is None or id(thing) in world.hold:
            keep.append(thing)
            continue
        if world.ship([thing], cat.SHUNCHANG, dest, world.later(thing.at, 0, 2), (1, 2)):
            world.stock[dest].append(thing)
        else:
            keep.append(thing)
    world.stock[cat.SHUNCHANG] = keep


def open_packs(
    world: World, party: str, when: Callable[[Thing], datetime | None], into_cells: bool
) -> list[Thing]:
    """Packs at ``party`` are opened into modules at ``when(pack)``, and modules into cells if ``into_cells``.
    Returns the modules left whole."""
    modules: list[Thing] = []
    for pack in [x for x in world.stock[party] if x.kind in ("ncm_pack", "lfp_pack")]:
        t = when(pack)
        if t is None or t > END or id(pack) in world.hold:
            continue
        world.stock[party].remove(pack)
        outputs = world.dismantle_battery(pack, party, t, cat.PACK_HARDWARE_G)
        for out in outputs:
            if out.lot:
                world.stock[party].append(out)
                continue
            if not into_cells:
                modules.append(out)
                continue
            t = t + timedelta(minutes=world.rng.randint(8, 25))
            if t > END:
                modules.append(out)
                continue
            world.stock[party].extend(world.dismantle_battery(out, party, t, cat.MODULE_HARDWARE_G))
    return modules


def battery_recycler(world: World) -> None:
    """The whitelisted recycler opens every pack within days and every module into cells."""
    open_packs(world, cat.XIANGXUN, lambda p: world.later(p.at, 1, 10), into_cells=True)


def second_life(world: World) -> None:
    """The cascade-use plant opens LFP packs, keeps the modules, tests them for a second life (a remanufacture
    event with fate reuse) and builds them into storage cabinets for a customer, 16 modules to a cabinet (梯次利用);
    the cabinet gets its own GB/T 34014 code."""
    modules = open_packs(
        world,
        cat.CASCADE,
        lambda p: world.later(p.at, 2, 15) if p.kind == "lfp_pack" else None,
        into_cells=False,
    )
    modules.sort(key=lambda m: m.at)
    for i in range(0, len(modules) - cat.ESS_MODULES + 1, cat.ESS_MODULES):
        group = modules[i : i + cat.ESS_MODULES]
        t = world.later(max(m.at for m in group), 3, 15)
        if t > END:
            world.stock[cat.CASCADE].extend(group)
            continue
        # Tested and accepted for a second life: their mass is reused (fate reuse), no longer awaiting treatment.
        world.script.add(
            Remanufacture(
                world.script.eid(),
                t - timedelta(hours=2),
                cat.site_id(cat.CASCADE),
                cat.CASCADE,
                objects=tuple(m.ref for m in group),
                fate=Fate.REUSE,
            )
        )
        (cabinet,) = world.commission(
            cat.CASCADE,
            cat.site_id(cat.CASCADE),
            t,
            [((world.codes.battery("cz-ess-16m", t.date()),), "cz-ess-16m", None)],
        )
        cabinet.children = group
        world.aggregate(cabinet, cat.CASCADE, t + timedelta(minutes=30))
        cabinet.at = t + timedelta(minutes=30)
        if (
            world.ship([cabinet], cat.CASCADE, cat.XIAOSHAN_PARK, world.later(cabinet.at, 2, 10), (1, 2))
            is None
        ):
            world.stock[cat.CASCADE].append(cabinet)
        world.tagged.setdefault("ess", cabinet)
    rest = len(modules) % cat.ESS_MODULES
    if rest:
        world.stock[cat.CASCADE].extend(modules[-rest:])


# What the remanufacturer invoices for a remanufactured core, in yuan (assumed: about half the price of a new unit).
REMANUFACTURED_VALUE_CNY = {"jn-engine-16": 8_600, "jn-gearbox-5mt": 3_200}


def remanufacture(world: World) -> None:
    """Cores are inspected and remanufactured a few weeks after they arrive, a month's cores at a time."""
    months: dict[datetime, list[Thing]] = defaultdict(list)
    for thing in world.stock[cat.REMAN]:
        if not thing.lot and thing.fate is Fate.REMANUFACTURE:
            months[datetime(thing.at.year, thing.at.month, 1, tzinfo=CST)].append(thing)
    for _, cores in sorted(months.items()):
        t = world.later(max(c.at for c in cores), 14, 40)
        if t > END:
            continue
        world.script.add(
            Remanufacture(
                world.script.eid(),
                t,
                cat.site_id(cat.REMAN),
                cat.REMAN,
                objects=tuple(c.ref for c in cores),
                value_cny=sum(REMANUFACTURED_VALUE_CNY.get(c.what, 0) for c in cores),
            )
        )
        for core in cores:
            core.at = t
