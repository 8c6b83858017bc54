"""The demo data set: deterministic, realistic, and accepted by every capture rule (checked on the pure ledger)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import biip.gtin
import pytest

from retrace.demo import catalogue as cat
from retrace.demo.dataset import demo_events, demo_notes, demo_registration
from retrace.domain.changes import ChangeSet, Direction
from retrace.domain.events import (
    Aggregate,
    Commission,
    Disaggregate,
    Disassemble,
    Dispose,
    Event,
    Receive,
    Remanufacture,
    Ship,
    Transform,
    Weigh,
)
from retrace.domain.identifiers import BatteryCode, Scheme, parse_identifier
from retrace.domain.ledger import Ledger
from retrace.domain.model import Fate, ObjectKind, Role, Status, TracedObject
from tests.demo.ledger import replay

DOCS = Path(__file__).resolve().parents[2] / "docs" / "demo-data.md"
CST_OFFSET = timedelta(hours=8)


@pytest.fixture(scope="module")
def world() -> tuple[Ledger, ChangeSet, list[str]]:
    return replay(demo_registration(), demo_events())


def identifiers_in(event: Event) -> list[str]:
    """Every identifier an event names or creates."""
    match event:
        case Commission():
            return [i for item in event.items for i in item.identifiers]
        case Ship() | Receive() | Remanufacture() | Dispose():
            return list(event.objects)
        case Weigh():
            return [event.object]
        case Aggregate() | Disaggregate():
            return [event.parent, *event.children]
        case Disassemble():
            return [
                event.object,
                *(i for p in event.parts for i in p.identifiers),
                *(lot.code for lot in event.lots),
            ]
        case Transform():
            return [*event.inputs, *(lot.code for lot in event.outputs)]
    return []


def by_identifier(ledger: Ledger, text: str) -> TracedObject:
    return ledger.objects[ledger.keys[parse_identifier(text).key]]


def test_the_demo_is_the_same_on_every_call() -> None:
    first, second = demo_events(), demo_events()
    assert first == second
    assert first is not second  # callers may change their copy
    assert [e.fingerprint() for e in first] == [e.fingerprint() for e in second]
    assert demo_registration() == demo_registration()
    assert demo_notes() == demo_notes()


def test_events_are_numbered_in_time_order_inside_the_window() -> None:
    events = demo_events()
    assert [e.event_id for e in events] == [f"demo-{i:06d}" for i in range(1, len(events) + 1)]
    times = [e.event_time for e in events]
    assert times == sorted(times)
    assert all(t.utcoffset() == CST_OFFSET for t in times)
    assert date(2025, 1, 1) <= times[0].date() and times[-1].date() <= date(2026, 9, 30)


def test_every_event_passes_the_capture_rules(world: tuple[Ledger, ChangeSet, list[str]]) -> None:
    ledger, _, errors = world
    assert errors == []
    assert len(ledger.records) == len(demo_events())


def test_size_and_mix(world: tuple[Ledger, ChangeSet, list[str]]) -> None:
    """A few hundred top-level items, thousands of objects, every kind of event."""
    ledger, _, _ = world
    commissioned = [i for e in demo_events() if isinstance(e, Commission) for i in e.items]
    categories = Counter(cat.SPECS[i.model_id].category for i in commissioned)
    top_level = sum(n for c, n in categories.items() if not c.endswith(("_cell", "_module")))
    assert 300 <= top_level <= 500
    for category in (
        "crt_tv",
        "flat_panel_tv",
        "refrigerator",
        "washing_machine",
        "air_conditioner",
        "desktop_computer",
        "laptop_computer",
        "passenger_car",
        "passenger_car_bev",
        "ncm_pack",
        "lfp_pack",
        "ncm_module",
        "lfp_module",
        "ncm_cell",
        "lfp_cell",
        "second_life_ess",
    ):
        assert categories[category] > 0, category
    types = Counter(e.type for e in demo_events())
    assert set(types) == {
        "commission",
        "ship",
        "receive",
        "weigh",
        "aggregate",
        "disassemble",
        "transform",
        "remanufacture",
        "dispose",
        "correct",
    }
    assert len(ledger.objects) > 5000


def test_every_identifier_parses_and_every_kind_is_used() -> None:
    schemes: Counter[str] = Counter()
    battery_types: Counter[str] = Counter()
    for event in demo_events():
        for text in identifiers_in(event):
            parsed = parse_identifier(text)  # raises on a bad check digit, length or form
            schemes[parsed.scheme.value] += 1
            if isinstance(parsed, BatteryCode):
                battery_types[parsed.product_type] += 1
    # SSCC, GRAI and raw EPC tag reads (cages, crates, RFID portals) are not part of the demo story.
    tag_only = {Scheme.SSCC_URN.value, Scheme.GRAI_URN.value, Scheme.EPC_HEX.value}
    assert set(schemes) == {s.value for s in Scheme} - tag_only
    assert set(battery_types) == {"pack", "module", "cell"}


def test_gs1_keys_of_one_unit_agree() -> None:
    """Digital Link, SGTIN-96 and EPC URN of an RFID-tagged unit are one unit; GTIN check digits are real."""
    notes = demo_notes().showcase
    keys = {
        parse_identifier(notes[k]).key
        for k in ("fridge_digital_link", "fridge_rfid_sgtin96", "fridge_epc_urn")
    }
    assert len(keys) == 1
    for model in demo_registration().models:
        if model.gtin:
            assert str(biip.gtin.Gtin.parse(model.gtin).as_gtin_14()) == model.gtin
            assert model.gtin.startswith("0952")  # the GS1 prefix kept for demonstrations


def test_battery_codes_say_what_they_code() -> None:
    for event in demo_events():
        if not isinstance(event, Commission):
            continue
        for item in event.items:
            spec = cat.SPECS[item.model_id]
            codes = [
                parse_identifier(i) for i in item.identifiers if parse_identifier(i).scheme is Scheme.BATTERY
            ]
            for code in codes:
                assert isinstance(code, BatteryCode)
                expected = {"cell": "cell", "module": "module", "pack": "pack", "ess": "pack"}
                assert code.product_type == expected[spec.category.rsplit("_", 1)[-1]]
                assert code.code[4] == ("E" if "ncm" in spec.category else "B")  # ternary / LFP


def test_master_data_is_consistent() -> None:
    reg = demo_registration()
    parties = {p.id: p for p in reg.parties}
    assert len({p.region.province for p in reg.parties}) >= 7
    for model in reg.models:
        assert Role.PRODUCER in parties[model.producer_id].roles
        assert 0.95 * model.nominal_mass_g <= sum(model.composition_g.values()) <= model.nominal_mass_g, (
            model.id
        )
    for site in reg.sites:
        assert site.party_id in parties
    licensed = {lic.party_id for lic in reg.licences}
    for party in reg.parties:
        if party.roles & {Role.COLLECTOR, Role.DISMANTLER, Role.RECYCLER, Role.REMANUFACTURER}:
            assert party.id in licensed, party.id
        assert party.name and party.name_zh and party.name != party.name_zh


def test_a_vehicle_weighs_what_a_vehicle_weighs() -> None:
    models = {m.id: m for m in demo_registration().models}
    ice = models["jn-sedan-16"]
    assert 1_300_000 <= ice.nominal_mass_g <= 1_500_000
    assert 0.65 <= ice.composition_g["ferrous"] / ice.nominal_mass_g <= 0.70
    cell = models["sl-ncm-cell-150"].composition_g
    assert cell["nickel"] / cell["cobalt"] == pytest.approx(58.69 * 0.5 / (58.93 * 0.2), rel=0.02)  # NCM523


def test_the_irregular_cases_are_in_the_data(world: tuple[Ledger, ChangeSet, list[str]]) -> None:
    ledger, changes, _ = world
    found = {i.code: i for i in demo_notes().irregularities}
    events = demo_events()

    missing = by_identifier(ledger, found["MISSING_IN_TRANSIT"].identifiers[0])
    assert missing.status is Status.IN_TRANSIT
    assert missing.in_transit_to == cat.HUANAN

    lapse = next(lic for lic in cat.LICENCES if lic.party_id == cat.HONGDA)
    assert lapse.valid_to == date(2026, 3, 31)
    held = [by_identifier(ledger, code) for code in found["LAPSED_LICENCE_HOLDING"].identifiers]
    assert any(not pack.terminal for pack in held)
    for code, pack in zip(found["LAPSED_LICENCE_HOLDING"].identifiers, held, strict=True):
        assert pack.holder_id == cat.HONGDA
        received = [e for e in events if isinstance(e, Receive) and code in e.objects]
        assert received and received[0].event_time.date() <= lapse.valid_to
    opened = [e for e in events if isinstance(e, Disassemble) and e.party_id == cat.HONGDA]
    assert opened and all(e.event_time.date() > lapse.valid_to for e in opened)

    stuck = by_identifier(ledger, found["STUCK_AT_CARRIER"].identifiers[0])
    assert stuck.holder_id == cat.SHUNCHANG and stuck.status is Status.ACTIVE
    assert stuck.created_at < datetime.fromisoformat("2025-06-01T00:00+08:00")

    yields = _yields(changes)
    assert all(y == 1.0 for y in yields[cat.XIANGJIANG])
    for party in (cat.HUANAN, cat.SHUDU, cat.QIANTANG):
        assert max(yields[party]) < 0.99  # honest dismantlers lose dust, moisture and fines

    chaoyang: Counter[tuple[Direction, str]] = Counter()
    for f in changes.flows:
        if f.party_id == cat.CHAOYANG:
            chaoyang[(f.direction, f.material)] += f.mass_g
    copper_in = chaoyang[(Direction.RECEIVED, "copper")]
    assert chaoyang[(Direction.PRODUCED, "copper_granules")] > 1.5 * copper_in > 0
    assert chaoyang[(Direction.SHIPPED, "copper_granules")] > 1.3 * copper_in

    light = by_identifier(ledger, found["VEHICLE_STRIPPED_BEFORE_INTAKE"].identifiers[0])
    assert light.mass_g == 1_012_000
    parts = [e for e in events if isinstance(e, Disassemble) and e.object == light.identifiers[0][1]]
    assert parts and not parts[0].parts

    lot = by_identifier(ledger, found["UNKNOWN_FATE"].identifiers[0])
    assert lot.kind is ObjectKind.LOT and lot.fate is Fate.UNKNOWN and lot.status is Status.ACTIVE


def _yields(changes: ChangeSet) -> dict[str, list[float]]:
    """Output over input mass of every disassembly, by party."""
    out: dict[str, list[float]] = defaultdict(list)
    for record in changes.records:
        if record.event.type != "disassemble":
            continue
        consumed = sum(f.mass_g for f in record.flows if f.direction is Direction.CONSUMED)
        produced = sum(f.mass_g for f in record.flows if f.direction is Direction.PRODUCED)
        out[record.event.party_id].append(produced / consumed)
    return out


def test_the_battery_chain_of_the_showcase_vehicle(world: tuple[Ledger, ChangeSet, list[str]]) -> None:
    ledger, changes, _ = world
    show = demo_notes().showcase
    downstream: dict[str, set[str]] = defaultdict(set)
    for link in changes.links:
        downstream[link.from_id].add(link.to_id)
    start = by_identifier(ledger, show["vehicle_vin"]).id
    reached: set[str] = set()
    stack = [start]
    while stack:
        for nxt in downstream[stack.pop()] - reached:
            reached.add(nxt)
            stack.append(nxt)
    for key in (
        "vehicle_pack",
        "vehicle_module",
        "vehicle_cell",
        "vehicle_black_mass_lot",
        "vehicle_lithium_carbonate_lot",
        "vehicle_nickel_sulfate_lot",
    ):
        assert by_identifier(ledger, show[key]).id in reached, key


def test_the_docs_name_every_showcase_and_irregular_identifier() -> None:
    text = DOCS.read_text(encoding="utf-8")
    notes = demo_notes()
    for key, value in notes.showcase.items():
        assert value in text, key
    for irregularity in notes.irregularities:
        assert irregularity.code in text
        for identifier in irregularity.identifiers:
            assert identifier in text, irregularity.code
    for model in demo_registration().models:
        assert re.search(rf"`{re.escape(model.id)}`", text), model.id
