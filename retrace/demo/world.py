"""The machinery that writes realistic event chains: who does what to which object, when, with what masses.

``World`` keeps what the generator knows about each object (a ``Thing``: its identifier, mass, contents and, for
lots, composition) and writes events into a ``Script``.  Chains are written stage by stage: production and intake,
collection and dismantling, then every downstream facility in an order where each facility's suppliers come first
(``FACILITY_ORDER``), month by month.  A step that would fall after ``END`` is not written, so what is still
in a yard or a warehouse at the end of the data stays there, as it would.

The script sorts events by time at the end and numbers them; nothing depends on event ids except corrections,
which are renumbered with their targets.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random
from typing import TypeVar

from retrace.demo import catalogue as cat
from retrace.demo.codes import CST, Codes, sgtin_urn
from retrace.domain.events import (
    Aggregate,
    Commission,
    Correct,
    Disassemble,
    Dispose,
    Event,
    NewItem,
    NewLot,
    Receive,
    Ship,
    Transform,
    Weigh,
)
from retrace.domain.model import Fate, Stream

START = datetime(2025, 1, 2, 8, 0, tzinfo=CST)
END = datetime(2026, 9, 30, 18, 0, tzinfo=CST)

E = TypeVar("E", bound=Event)


class Script:
    """Events in the making: collected with placeholder ids, sorted by time and numbered at the end."""

    def __init__(self) -> None:
        self._rows: list[tuple[datetime, int, Event]] = []
        self._ids = 0

    def __len__(self) -> int:
        return len(self._rows)

    def eid(self) -> str:
        """A placeholder id for the next event; ``finish`` replaces it."""
        self._ids += 1
        return f"~{self._ids}"

    def add(self, event: E) -> E:
        if not START <= event.event_time <= END:
            raise ValueError(f"event time {event.event_time} outside the data window")
        self._rows.append((event.event_time, len(self._rows), event))
        return event

    def finish(self, prefix: str, first: int, width: int) -> list[Event]:
        """The events in time order (ties in the order written), numbered ``prefix-<first>`` onwards."""
        rows = sorted(self._rows, key=lambda r: (r[0], r[1]))
        names = {event.event_id: f"{prefix}-{first + i:0{width}d}" for i, (_, _, event) in enumerate(rows)}
        out: list[Event] = []
        for _, _, event in rows:
            renamed = dataclasses.replace(event, event_id=names[event.event_id])
            if isinstance(renamed, Correct):
                renamed = dataclasses.replace(
                    renamed,
                    target_event_id=names[renamed.target_event_id],
                    corrective_event_ids=tuple(names[e] for e in renamed.corrective_event_ids),
                )
            out.append(renamed)
        return out


@dataclass(eq=False)
class Thing:
    """What the generator knows of one object it has created."""

    refs: tuple[str, ...]  # identifiers; the first is the main one, events use any of them
    stream: Stream
    what: str  # model id (items) or material (lots)
    mass_g: int
    at: datetime  # when it became available where it is now
    fate: Fate | None = None
    lot: bool = False
    content: dict[str, int] = field(default_factory=dict)  # lots: composition by material or element
    children: list[Thing] = field(default_factory=list)
    into: list[Thing] = field(
        default_factory=list
    )  # what it became: outputs of its disassembly or transformation
    treated_by: str = ""  # the party that took it apart or transformed it
    tag: str = ""  # free text the demo uses to find a thing again (e.g. "showcase")

    @property
    def ref(self) -> str:
        return self.refs[0]

    @property
    def spec(self) -> cat.Spec:
        return cat.SPECS[self.what]

    @property
    def kind(self) -> str:
        """Material of a lot, or category of an item (compressor, engine, ncm_cell …)."""
        return self.what if self.lot else self.spec.category


# Where lots and parts go after a dismantler or recycler is done with them (by material or part category).
ROUTES: dict[str, str] = {
    "ferrous": cat.HUAGANG,
    "vehicle_hulk": cat.HUAGANG,
    "ferrous_scrap": cat.HUAGANG,
    "engine": cat.HUAGANG,
    "transmission": cat.HUAGANG,
    "copper": cat.QINGYUAN,
    "cables": cat.QINGYUAN,
    "pcb": cat.QINGYUAN,
    "aluminium": cat.QINGYUAN,
    "catalytic_converter": cat.QINGYUAN,
    "hdd": cat.QINGYUAN,
    "compressor": cat.QINGYUAN,
    "motor": cat.QINGYUAN,
    "electric_drive_unit": cat.QINGYUAN,
    "copper_granules": cat.QINGYUAN,
    "plastics": cat.YONGXIN,
    "panel_glass": cat.CHENZHOU,
    "funnel_glass": cat.CHENZHOU,
    "glass": cat.CHENZHOU,
    "lead_acid_battery": cat.CHENZHOU,
    "li_ion_battery": cat.XIANGXUN,
    "black_mass": cat.GANZHOU,
}
# Per-party exceptions: the South China dismantler sells its copper, cable and circuit-board scrap to the Chaoyang
# yard.
ROUTE_OVERRIDES: dict[str, dict[str, str]] = {
    cat.HUANAN: {"copper": cat.CHAOYANG, "cables": cat.CHAOYANG, "pcb": cat.CHAOYANG}
}

# What recyclers make of their inputs: input kind → [(output material, share of input mass, fate)].
_R, _E, _D = Fate.RECYCLING, Fate.ENERGY_RECOVERY, Fate.DISPOSAL
Yields = dict[str, list[tuple[str, float, Fate]]]
RECIPES: dict[str, Yields] = {
    cat.HUAGANG: {
        "ferrous": [("crude_steel", 0.91, _R), ("steel_slag", 0.06, _R)],
        "ferrous_scrap": [("crude_steel", 0.92, _R), ("steel_slag", 0.05, _R)],
        "vehicle_hulk": [("crude_steel", 0.70, _R), ("nonferrous_mix", 0.03, _R), ("asr", 0.21, _D)],
        "engine": [("crude_steel", 0.57, _R), ("nonferrous_mix", 0.30, _R), ("steel_slag", 0.04, _R)],
        "transmission": [("crude_steel", 0.64, _R), ("nonferrous_mix", 0.25, _R), ("steel_slag", 0.04, _R)],
    },
    cat.QINGYUAN: {
        "copper": [("copper_cathode", 0.96, _R), ("copper_slag", 0.02, _D)],
        "copper_granules": [("copper_cathode", 0.96, _R), ("copper_slag", 0.02, _D)],
        "cables": [("copper_cathode", 0.43, _R), ("cable_plastics", 0.50, _E)],
        "pcb": [("copper_cathode", 0.18, _R), ("precious_metals", 0.0012, _R), ("copper_slag", 0.40, _D)],
        "aluminium": [("aluminium_ingot", 0.88, _R), ("dross", 0.08, _R)],
        "catalytic_converter": [("ferrous_scrap", 0.60, _R), ("pgm_concentrate", 0.36, _R)],
        "hdd": [("aluminium_ingot", 0.45, _R), ("ferrous_scrap", 0.30, _R), ("copper_cathode", 0.05, _R)],
        "compressor": [
            ("ferrous_scrap", 0.80, _R),
            ("copper_cathode", 0.12, _R),
            ("aluminium_ingot", 0.02, _R),
        ],
        "motor": [("ferrous_scrap", 0.58, _R), ("copper_cathode", 0.24, _R), ("aluminium_ingot", 0.09, _R)],
        "electric_drive_unit": [
            ("ferrous_scrap", 0.44, _R),
            ("aluminium_ingot", 0.31, _R),
            ("copper_cathode", 0.13, _R),
            ("precious_metals", 0.0003, _R),
        ],
    },
    cat.YONGXIN: {"plastics": [("recycled_pellets", 0.76, _R), ("plastic_residue", 0.19, _E)]},
    cat.CHENZHOU: {
        "funnel_glass": [("lead_bullion", 0.19, _R), ("glass_slag", 0.76, _D)],
        "panel_glass": [("glass_cullet", 0.97, _R)],
        "glass": [("glass_cullet", 0.95, _R)],
        "lead_acid_battery": [("lead_bullion", 0.61, _R), ("polypropylene", 0.06, _R)],
    },
    # The Chaoyang yard books copper, cable and circuit-board scrap together as copper granules at 90-97 % of the
    # input, though cable scrap is about 45 % copper and boards about 20 %: more copper leaves the yard than came in
    # (irregularity, docs/demo-data.md).
    cat.CHAOYANG: {
        "copper": [("copper_granules", 0.97, _R), ("plastics", 0.02, _R)],
        "cables": [("copper_granules", 0.97, _R), ("plastics", 0.02, _R)],
        "pcb": [("copper_granules", 0.90, _R), ("plastics", 0.05, _R)],
    },
    cat.XIANGXUN: {
        "li_ion_battery": [
            ("black_mass", 0.38, _R),
            ("copper", 0.08, _R),
            ("aluminium", 0.12, _R),
            ("ferrous", 0.10, _R),
            ("plastics", 0.10, _E),
        ],
    },
}
# Inputs with their own processes: cells into black mass at the battery recycler, black mass into salts at the refiner.
SPECIAL_INPUTS = frozenset(
    {(cat.XIANGXUN, "ncm_cell"), (cat.XIANGXUN, "lfp_cell"), (cat.GANZHOU, "black_mass")}
)
# Input kinds a recycler transforms together in one batch.
BATCH_GROUPS: dict[str, dict[str, str]] = {
    cat.CHAOYANG: {"copper": "copper_scrap", "cables": "copper_scrap", "pcb": "copper_scrap"}
}

# Recovery in battery pre-treatment (crushing, pyrolysis, sieving) and in hydrometallurgy.
BLACK_MASS_RECOVERY = {"cathode": 0.98, "graphite": 0.95, "other": 0.5, "copper": 0.01, "aluminium": 0.01}
FOIL_RECOVERY = {"copper": 0.95, "aluminium": 0.93, "plastics": 0.80}
# Salt per gram of its metal (molar masses): the refiner's products are booked at their physical mass, as the trade
# weighs them: Li2CO3 / 2 Li, NiSO4·6H2O / Ni, CoSO4·7H2O / Co, MnSO4·H2O / Mn, FePO4 / Fe.
LI2CO3_PER_LI = 73.891 / (2 * 6.941)
ASSAYED_METALS = ("lithium", "nickel", "cobalt", "manganese")
FEPO4_PER_FE = 150.815 / 55.845
SULFATES = (  # metal, salt, recovery in leaching and crystallisation, salt per gram of metal
    ("nickel", "nickel_sulfate_hexahydrate", 0.98, 262.839 / 58.693),
    ("cobalt", "cobalt_sulfate_heptahydrate", 0.98, 281.094 / 58.933),
    ("manganese", "manganese_sulfate_monohydrate", 0.97, 169.009 / 54.938),
)


def month_start(d: datetime) -> datetime:
    return datetime(d.year, d.month, 1, tzinfo=CST)


def next_month(d: datetime) -> datetime:
    return datetime(d.year + d.month // 12, d.month % 12 + 1, 1, tzinfo=CST)


class World:
    """Writes chains into ``script``; ``rng`` decides every choice, so the same seed writes the same events."""

    def __init__(self, rng: Random, codes: Codes, script: Script) -> None:
        self.rng = rng
        self.codes = codes
        self.script = script
        self.stock: dict[str, list[Thing]] = defaultdict(list)  # free things at a party, awaiting processing
        self.tagged: dict[str, Thing] = {}
        self.hold: set[int] = set()  # ids of things the demo keeps where they are (stories)
        self.carrier_destinations: dict[int, str] = {}  # thing id → where the carrier takes it
        self.things: dict[str, Thing] = {}  # every thing made, by main identifier, in the order made

    def _keep(self, thing: Thing) -> Thing:
        self.things[thing.ref] = thing
        return thing

    # -- time ------------------------------------------------------------------------------------------------

    def later(self, after: datetime, days_lo: int, days_hi: int) -> datetime:
        """A time in working hours ``days_lo`` to ``days_hi`` days after ``after`` and strictly after it."""
        day = after.date() + timedelta(days=self.rng.randint(days_lo, days_hi))
        t = datetime.combine(day, time(8, 30), CST) + timedelta(minutes=self.rng.randint(0, 540))
        if t <= after:
            t = after + timedelta(minutes=self.rng.randint(15, 90))
        return t

    def pick(self, thing: Thing) -> str:
        """One of the thing's identifiers, as a scanner would read it (QR here, RFID there)."""
        return thing.refs[0] if len(thing.refs) == 1 else self.rng.choice(thing.refs)

    def tag(self, name: str, thing: Thing) -> Thing:
        thing.tag = name
        self.tagged[name] = thing
        return thing

    # -- basic moves -----------------------------------------------------------------------------------------

    def commission(
        self,
        party: str,
        site: str,
        t: datetime,
        specs: Sequence[tuple[tuple[str, ...], str, int | None]],
    ) -> list[Thing]:
        """New items (identifiers, model, mass or None for nominal) tagged by ``party``."""
        self.script.add(
            Commission(
                self.script.eid(),
                t,
                site,
                party,
                items=tuple(NewItem(ids, model, mass) for ids, model, mass in specs),
            )
        )
        return [
            self._keep(
                Thing(
                    ids,
                    cat.SPECS[model].stream,
                    model,
                    mass if mass is not None else cat.SPECS[model].mass_g,
                    t,
                )
            )
            for ids, model, mass in specs
        ]

    def ship(
        self,
        things: Sequence[Thing],
        frm: str,
        to: str,
        t: datetime,
        days: tuple[int, int] = (1, 3),
        receive: bool = True,
        frm_site: str | None = None,
    ) -> datetime | None:
        """Ship from ``frm`` and (unless ``receive`` is False) receive at ``to``; nothing if it would end after END.

        Returns the time of receipt."""
        if not things:
            return None
        arrive = self.later(t, *days)
        if arrive > END:
            return None
        site = frm_site or cat.site_id(frm)
        self.script.add(
            Ship(
                self.script.eid(),
                t,
                site,
                frm,
                objects=tuple(self.pick(x) for x in things),
                to_party_id=to,
                to_site_id=cat.site_id(to),
            )
        )
        if receive:
            self.script.add(
                Receive(
                    self.script.eid(),
                    arrive,
                    cat.site_id(to),
                    to,
                    objects=tuple(self.pick(x) for x in things),
                    from_party_id=frm,
                )
            )
            for x in things:
                x.at = arrive
        return arrive

    def hand_over(self, things: Sequence[Thing], frm: str, to: str, t: datetime) -> None:
        """``to`` takes items straight from ``frm`` (a household handing an appliance to a collector)."""
        self.script.add(
            Receive(
                self.script.eid(),
                t,
                cat.site_id(to),
                to,
                objects=tuple(self.pick(x) for x in things),
                from_party_id=frm,
            )
        )
        for x in things:
            x.at = t

    def weigh(self, thing: Thing, party: str, t: datetime, mass_g: int) -> Weigh:
        thing.mass_g = mass_g
        return self.script.add(
            Weigh(self.script.eid(), t, cat.site_id(party), party, object=self.pick(thing), mass_g=mass_g)
        )

    def dispose(self, things: Sequence[Thing], party: str, t: datetime, fate: Fate) -> None:
        self.script.add(
            Dispose(
                self.script.eid(),
                t,
                cat.site_id(party),
                party,
                objects=tuple(x.ref for x in things),
                fate=fate,
            )
        )
        for x in things:
            x.fate = fate

    def new_lot(
        self,
        party: str,
        material: str,
        grams: int,
        fate: Fate,
        t: datetime,
        stream: Stream,
        content: dict[str, int] | None = None,
        assay: dict[str, int] | None = None,
    ) -> tuple[NewLot, Thing]:
        """``assay``: what the lot is recorded to contain (``NewLot.composition_g``), for element recovery."""
        code = self.codes.lot(party, material, t)
        thing = Thing(
            (code,), stream, material, grams, t, fate, lot=True, content=content or {material: grams}
        )
        recorded = tuple(sorted((k, v) for k, v in (assay or {}).items() if v > 0))
        return NewLot(code, material, grams, fate, recorded), self._keep(thing)

    # -- dismantling -----------------------------------------------------------------------------------------

    def dismantle(
        self,
        item: Thing,
        party: str,
        t: datetime,
        *,
        exact: bool = False,
        missing: frozenset[str] = frozenset(),
        fates: dict[str, Fate] | None = None,
    ) -> list[Thing]:
        """Take ``item`` apart by its model's recipe; return the outputs (parts, lots and released contents).

        ``exact``: outputs are the recipe's shares of the recorded mass, to the gram, adding up to 100 % (how a
        facility that copies nominal figures instead of weighing reports).  ``missing``: outputs that were taken
        before the item arrived; the others are scaled to the recorded mass.  ``fates`` overrides output fates."""
        spec = item.spec
        released = list(item.children)
        base = item.mass_g - sum(c.mass_g for c in released)
        outputs = [o for o in spec.outputs if (o.model or o.material) not in missing]
        scale = 1 / sum(o.share for o in outputs) if missing else 1.0
        grams: list[int] = []
        for o in outputs:
            if exact:
                grams.append(int(base * o.share))
            else:
                factor = self.rng.uniform(0.98, 1.0) if o.model else self.rng.uniform(0.95, 0.99)
                grams.append(int(base * o.share * scale * factor))
        if exact:
            grams[-1] += base - sum(grams)  # rounding remainder into the last output ("other")
        parts: list[NewItem] = []
        lots: list[NewLot] = []
        out: list[Thing] = []
        day = t.date()
        for o, g in zip(outputs, grams, strict=True):
            if g <= 0:
                continue
            fate = (fates or {}).get(o.model or o.material, o.fate)
            if o.model:
                part_spec = cat.SPECS[o.model]
                code = self.codes.part(party, part_spec.category, day)
                parts.append(NewItem((code,), o.model, g, fate))
                out.append(self._keep(Thing((code,), part_spec.stream, o.model, g, t, fate)))
            else:
                lot, thing = self.new_lot(party, o.material, g, fate, t, item.stream)
                lots.append(lot)
                out.append(thing)
        self.script.add(
            Disassemble(
                self.script.eid(),
                t,
                cat.site_id(party),
                party,
                object=self.pick(item),
                parts=tuple(parts),
                lots=tuple(lots),
            )
        )
        for c in released:
            c.at = t
        item.children = []
        item.into = [*out, *released]
        item.treated_by = party
        return item.into

    def dismantle_battery(
        self,
        unit: Thing,
        party: str,
        t: datetime,
        hardware: dict[str, int],
    ) -> list[Thing]:
        """A pack into its modules, or a module into its cells: the contents are released, hardware becomes lots."""
        lots: list[NewLot] = []
        out: list[Thing] = []
        for material, grams in hardware.items():
            g = int(grams * self.rng.uniform(0.95, 0.99))
            lot, thing = self.new_lot(
                party, material, g, cat.HARDWARE_FATE.get(material, Fate.RECYCLING), t, Stream.BATTERY
            )
            lots.append(lot)
            out.append(thing)
        self.script.add(
            Disassemble(
                self.script.eid(), t, cat.site_id(party), party, object=self.pick(unit), lots=tuple(lots)
            )
        )
        released = unit.children
        unit.children = []
        for c in released:
            c.at = t
        unit.into = [*released, *out]
        unit.treated_by = party
        return unit.into

    # -- production ------------------------------------------------------------------------------------------

    def make_packs(self, model_id: str, n: int, t: datetime) -> list[Thing]:
        """The battery maker builds ``n`` packs: cells, then modules, then the pack, each coded and aggregated."""
        module_id = cat.MODULE_OF_PACK[model_id]
        cell_id = cat.CELL_OF_MODULE[module_id]
        site = cat.site_id(cat.SHULI)
        packs: list[Thing] = []
        day = t.date()
        for _ in range(n):
            cell_specs = [
                ((self.codes.battery(cell_id, day),), cell_id, None)
                for _ in range(cat.CELLS_PER_MODULE * cat.MODULES_PER_PACK)
            ]
            cells = self.commission(cat.SHULI, site, t, cell_specs)
            t += timedelta(minutes=20)
            modules = self.commission(
                cat.SHULI,
                site,
                t,
                [
                    ((self.codes.battery(module_id, day),), module_id, None)
                    for _ in range(cat.MODULES_PER_PACK)
                ],
            )
            for i, module in enumerate(modules):
                module.children = cells[i * cat.CELLS_PER_MODULE : (i + 1) * cat.CELLS_PER_MODULE]
                t += timedelta(minutes=3)
                self.aggregate(module, cat.SHULI, t)
            t += timedelta(minutes=20)
            pack_spec = cat.SPECS[model_id]
            serial = self.codes.gs1_serial(cat.SHULI, day)
            ids = (
                self.codes.battery(model_id, day),
                sgtin_urn(cat.GS1_PREFIX[cat.SHULI], pack_spec.item_ref or "", serial),
            )
            (pack,) = self.commission(cat.SHULI, site, t, [(ids, model_id, None)])
            pack.children = modules
            t += timedelta(minutes=10)
            self.aggregate(pack, cat.SHULI, t)
            packs.append(pack)
            t += timedelta(minutes=15)
        return packs

    def aggregate(self, parent: Thing, party: str, t: datetime, site: str | None = None) -> None:
        self.script.add(
            Aggregate(
                self.script.eid(),
                t,
                site or cat.site_id(party),
                party,
                parent=self.pick(parent),
                children=tuple(self.pick(c) for c in parent.children),
            )
        )

    def make_vehicles(self, packs: Sequence[Thing], t: datetime) -> list[Thing]:
        """The car maker builds one BEV around each pack it holds."""
        by_pack = {v: k for k, v in cat.PACK_OF_VEHICLE.items()}
        vehicles = self.commission(
            cat.JIANGNAN,
            cat.site_id(cat.JIANGNAN),
            t,
            [((self.codes.vin(by_pack[p.what], t.year),), by_pack[p.what], None) for p in packs],
        )
        for vehicle, pack in zip(vehicles, packs, strict=True):
            vehicle.children = [pack]
            t += timedelta(minutes=12)
            self.aggregate(vehicle, cat.JIANGNAN, t)
        return vehicles

    def make_appliances(self, model_id: str, n: int, t: datetime, rfid: bool) -> list[Thing]:
        spec = cat.SPECS[model_id]
        site = cat.site_id(
            spec.producer, "hefei" if spec.category in ("refrigerator", "washing_machine") else None
        )
        day = t.date()
        return self.commission(
            spec.producer,
            site,
            t,
            [(self.codes.appliance(model_id, day, rfid), model_id, None) for _ in range(n)],
        )

    # -- downstream facilities ---------------------------------------------------------------------------------

    def route(self, party: str, thing: Thing) -> str | None:
        """Where ``party`` sends ``thing`` next: a party, ``dispose``, or None to keep it."""
        if id(thing) in self.hold or thing.fate is Fate.UNKNOWN:
            return None
        if thing.lot and thing.fate in (Fate.DISPOSAL, Fate.ENERGY_RECOVERY):
            return "dispose"
        kind = thing.kind
        if self.consumes(party, kind):
            return None  # an input still waiting for its batch
        if kind == "black_mass" and thing.stream is not Stream.BATTERY:
            return None  # portable-battery black mass: the lithium refiner is licensed for traction batteries only
        if kind in ("engine", "transmission") and thing.fate is Fate.REMANUFACTURE:
            dest: str | None = cat.REMAN
        else:
            dest = ROUTE_OVERRIDES.get(party, {}).get(kind) or ROUTES.get(kind)
        return None if dest == party else dest

    def dispatch(self, party: str) -> None:
        """Month by month, ship what ``party`` holds to where it goes, and dispose of residues."""
        groups: dict[tuple[str, str, datetime], list[Thing]] = defaultdict(list)
        for thing in self.stock[party]:
            dest = self.route(party, thing)
            if dest is None:
                continue
            key = f"{dest}:{thing.fate.value}" if dest == "dispose" and thing.fate else dest
            groups[(key, thing.stream.value, month_start(thing.at))].append(thing)
        gone: set[int] = set()
        for (key, _, month), things in sorted(groups.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
            ready = max(x.at for x in things)
            t = self.later(max(next_month(month), ready), 0, 4)
            if t > END:
                continue
            if key.startswith("dispose:"):
                self.dispose(things, party, t, Fate(key.split(":", 1)[1]))
                gone.update(id(x) for x in things)
                continue
            if self.ship(things, party, key, t) is not None:
                gone.update(id(x) for x in things)
                self.stock[key].extend(things)
        self.stock[party] = [x for x in self.stock[party] if id(x) not in gone]

    def transform_batches(self, party: str) -> None:
        """Month by month, turn what ``party`` received into its products (``RECIPES``)."""
        recipes = RECIPES.get(party, {})
        groups: dict[tuple[str, str, datetime], list[Thing]] = defaultdict(list)
        for thing in self.stock[party]:
            kind = thing.kind
            if id(thing) in self.hold or not self.consumes(party, kind):
                continue
            group = BATCH_GROUPS.get(party, {}).get(kind, kind)
            if kind == "black_mass":  # NCM and LFP black mass go through different leaching routes
                group = "black_mass_ncm" if "nickel" in thing.content else "black_mass_lfp"
            groups[(group, thing.stream.value, month_start(thing.at))].append(thing)
        used: set[int] = set()
        for (group, _, month), inputs in sorted(
            groups.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])
        ):
            ready = max(x.at for x in inputs)
            t = self.later(max(next_month(month), ready), 0, 6)
            if t > END:
                continue
            reagents_g = None
            if group in ("ncm_cell", "lfp_cell"):
                outputs = self._black_mass(party, inputs, t)
            elif group.startswith("black_mass"):
                outputs, reagents_g = self._refine(party, inputs, t)
            else:
                outputs = self._by_recipe(party, recipes, inputs, t)
            if not outputs:
                continue
            specs = tuple(lot for lot, _ in outputs)
            self.script.add(
                Transform(
                    self.script.eid(),
                    t,
                    cat.site_id(party),
                    party,
                    inputs=tuple(self.pick(x) for x in inputs),
                    outputs=specs,
                    reagents_g=reagents_g,
                )
            )
            used.update(id(x) for x in inputs)
            for x in inputs:
                x.into = [thing for _, thing in outputs]
                x.treated_by = party
            self.stock[party].extend(thing for _, thing in outputs)
        self.stock[party] = [x for x in self.stock[party] if id(x) not in used]

    @staticmethod
    def consumes(party: str, kind: str) -> bool:
        """Whether ``party`` transforms things of ``kind`` (so it keeps them until their batch runs)."""
        return kind in RECIPES.get(party, {}) or (party, kind) in SPECIAL_INPUTS

    def _by_recipe(
        self,
        party: str,
        recipes: Yields,
        inputs: Sequence[Thing],
        t: datetime,
    ) -> list[tuple[NewLot, Thing]]:
        made: dict[tuple[str, Fate], float] = defaultdict(float)
        for x in inputs:
            for material, share, fate in recipes[x.kind]:
                made[(material, fate)] += x.mass_g * share * self.rng.uniform(0.985, 1.0)
        stream = inputs[0].stream
        return [self.new_lot(party, m, int(g), f, t, stream) for (m, f), g in made.items() if int(g) > 0]

    def _black_mass(self, party: str, cells: Sequence[Thing], t: datetime) -> list[tuple[NewLot, Thing]]:
        """Crushing, pyrolysis and sieving: black mass (cathode and anode powder) and foils; electrolyte is lost."""
        total: dict[str, int] = defaultdict(int)
        for c in cells:
            for material, grams in cat.SPECS[c.what].fixed_composition.items():
                total[material] += grams
        black: dict[str, int] = {}
        for material, grams in total.items():
            if material in cat.CATHODE_ELEMENTS:
                black[material] = int(grams * BLACK_MASS_RECOVERY["cathode"])
            elif material in BLACK_MASS_RECOVERY:
                black[material] = int(grams * BLACK_MASS_RECOVERY[material])
        # The recycler assays each black-mass lot (its buyer pays by metal content): the metals, and the electrode
        # powder (cathode active material and graphite) it holds.
        assay = {m: black.get(m, 0) for m in ASSAYED_METALS}
        assay["electrode_powder"] = sum(
            g for m, g in black.items() if m in cat.CATHODE_ELEMENTS or m == "graphite"
        )
        out = [
            self.new_lot(
                party, "black_mass", sum(black.values()), Fate.RECYCLING, t, Stream.BATTERY, black, assay
            )
        ]
        for material, rate in FOIL_RECOVERY.items():
            fate = Fate.ENERGY_RECOVERY if material == "plastics" else Fate.RECYCLING
            out.append(self.new_lot(party, material, int(total[material] * rate), fate, t, Stream.BATTERY))
        return out

    def _refine(
        self, party: str, lots: Sequence[Thing], t: datetime
    ) -> tuple[list[tuple[NewLot, Thing]], int]:
        """Hydrometallurgy: the salts at their physical (hydrated) mass, and the reagents that make them heavier
        than the black mass: sulfuric acid and water bound in the sulfates, the carbonate of soda ash in lithium
        carbonate (all of a salt but its metal; docs/demo-data.md).  Iron phosphate keeps the phosphate of the LFP
        cathode and needs none."""
        content: dict[str, int] = defaultdict(int)
        for lot in lots:
            for k, v in lot.content.items():
                content[k] += v
        made: list[tuple[str, int, Fate, dict[str, int]]] = []
        reagents = 0
        li = content["lithium"] * 0.90
        li2co3 = int(li * LI2CO3_PER_LI)
        made.append(("lithium_carbonate", li2co3, Fate.RECYCLING, {"lithium": int(li)}))
        reagents += li2co3 - int(li)
        if content.get("nickel"):
            for metal, salt, rate, per_metal in SULFATES:
                g = int(content[metal] * rate)
                made.append((salt, int(g * per_metal), Fate.RECYCLING, {metal: g}))
                reagents += int(g * per_metal) - g
            residue = content["graphite"] * 0.9 + content["other"] * 0.5
        else:
            fe = content["iron"] * 0.95
            made.append(("iron_phosphate", int(fe * FEPO4_PER_FE), Fate.RECYCLING, {"iron": int(fe)}))
            residue = content["graphite"] * 0.7  # part of the graphite burns off in roasting
        made.append(("leach_residue", int(residue), Fate.DISPOSAL, {"graphite": int(residue)}))
        stream = lots[0].stream
        # Products are assayed by their metal content; the residue is not.
        outputs = [
            self.new_lot(party, m, g, f, t, stream, c, None if f is Fate.DISPOSAL else c)
            for m, g, f, c in made
            if g > 0
        ]
        return outputs, reagents

    def run_facilities(self, order: Iterable[str], handlers: dict[str, Callable[[], None]]) -> None:
        """Each facility in turn: its own handler (if any), then its transformations, then its shipments."""
        for party in order:
            handler = handlers.get(party)
            if handler is not None:
                handler()
            self.transform_batches(party)
            self.dispatch(party)


# Suppliers before customers: every facility is processed after all that ship to it.
FACILITY_ORDER: tuple[str, ...] = (
    cat.HUANAN,
    cat.XIANGJIANG,
    cat.SHUDU,
    cat.QIANTANG,
    cat.SUZHOU_ELV,
    cat.PENGCHENG_ELV,
    cat.SHUNCHANG,
    cat.XIANGXUN,
    cat.HONGDA,
    cat.CASCADE,
    cat.REMAN,
    cat.CHAOYANG,
    cat.YONGXIN,
    cat.CHENZHOU,
    cat.QINGYUAN,
    cat.HUAGANG,
    cat.GANZHOU,
)


def working_time(day: date, rng: Random) -> datetime:
    return datetime.combine(day, time(8, 30), CST) + timedelta(minutes=rng.randint(0, 540))
