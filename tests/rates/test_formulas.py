"""Every formula on small cases computed by hand (docs/rates.md): exact fractions, no tolerance."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from retrace.domain.changes import Direction, Stage
from retrace.domain.events import Aggregate, Correct, Dispose, Event, NewItem, NewLot, Remanufacture, Weigh
from retrace.domain.model import Fate, Stream
from retrace.domain.rates.aggregates import month_of
from retrace.domain.rates.balance import Figures
from retrace.domain.rates.materials import RECOVERED_FORMS, lot_elements
from retrace.domain.rates.report import (
    EprTotals,
    Measure,
    Period,
    Scope,
    ScopeKind,
    balance_of,
    contributions,
    epr_lines,
    epr_target,
    recovery_report,
    select,
    site_lines,
)
from retrace.targets import load_catalogue
from tests.rates.support import (
    CAR_G,
    FEB,
    JAN,
    PACK,
    PACK_G,
    PACK_POWDER_G,
    at,
    battery,
    commission,
    disassemble,
    lot,
    master,
    move,
    registration,
    replay,
    rows,
    transform,
    vin,
)

YEAR = Period("2026-01", "2026-12")
CAR = vin(1)
PACK_CODE = battery(1)

DISMANTLED = (
    lot("STEEL-1", "steel", 690_000),
    lot("ALU-1", "aluminium", 98_000),
    lot("CU-1", "copper", 9_500),
    lot("PL-1", "plastics", 85_000, Fate.ENERGY_RECOVERY),
    lot("GL-1", "glass", 29_000, Fate.DISPOSAL),
    lot("TY-1", "tyres", 38_000, Fate.ENERGY_RECOVERY),
)
RECYCLED = 690_000 + 98_000 + 9_500
RECOVERED = RECYCLED + 85_000 + 38_000
LOSS = CAR_G - (RECOVERED + 29_000)


def car_chain(*later: Event) -> list[Event]:
    return [
        commission("c-car", JAN, "maker", CAR, "car"),
        *move("m1", at(JAN, 1), "maker", "owner", CAR),
        *move("m2", at(JAN, 24), "owner", "dismantler", CAR),
        disassemble("d-car", at(JAN, 48), "dismantler", CAR, *DISMANTLED),
        *later,
    ]


def shredded() -> list[Event]:
    return [
        *move("m3", at(JAN, 72), "dismantler", "shredder", "STEEL-1"),
        transform(
            "t-steel",
            at(JAN, 96),
            "shredder",
            ["STEEL-1"],
            lot("CST-1", "crude_steel", 640_000),
            lot("SLAG-1", "steel_slag", 30_000, Fate.DISPOSAL),
        ),
    ]


def figures(events: list[Event], kind: ScopeKind = ScopeKind.NATION, key: str | None = None, period: Period = YEAR,
            stream: Stream | None = None) -> Figures:  # fmt: skip
    found = rows(
        f for f in replay(events).flows if period.contains(month_of(f.event_time))
    )  # as a store does
    return balance_of(found, select(Scope(kind, key, stream), master()), period, stream).figures


# -- vehicles: ISO 22628 / EU ELV rates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key"),
    [(ScopeKind.NATION, None), (ScopeKind.SITE, "site-dismantler"), (ScopeKind.PARTY, "dismantler"),
     (ScopeKind.PROVINCE, "32"), (ScopeKind.MODEL, "car"), (ScopeKind.PRODUCER, "maker")],
)  # fmt: skip
def test_a_vehicle_of_known_composition_dismantled_into_known_fractions(
    kind: ScopeKind, key: str | None
) -> None:
    f = figures(car_chain(), kind, key)
    assert f.input.mass_g == f.treated_g == CAR_G
    assert f.recycled_g == RECYCLED and f.recovered_g == RECOVERED
    assert f.recycling_rate == Fraction(797_500, 1_000_000)
    assert f.recovery_rate == Fraction(920_500, 1_000_000)
    assert f.loss_g == LOSS == 50_500
    assert f.fate_g("disposal") == 29_000 and f.fate_g("energy_recovery") == 123_000
    assert f.units_treated == 1
    assert f.unknown_share == 0


def test_collection_and_placing_on_the_market_are_counted_where_they_happen() -> None:
    nation = figures(car_chain())
    assert (nation.placed.count, nation.placed.mass_g) == (1, CAR_G)  # commissioned by its producer
    assert (nation.collected.count, nation.collected.mass_g) == (
        1,
        CAR_G,
    )  # from the owner into the licensed chain
    assert figures(car_chain(), ScopeKind.SITE, "site-maker").placed.count == 1
    assert figures(car_chain(), ScopeKind.SITE, "site-dismantler").collected.count == 1
    assert (
        figures(car_chain(), ScopeKind.SITE, "site-owner").collected.count == 0
    )  # an owner does not collect


def test_an_output_treated_again_counts_once_at_the_end_of_its_chain() -> None:
    events = car_chain(*shredded())
    nation = figures(events)
    assert nation.treated_g == CAR_G  # the steel lot is an intermediate step, not new input
    assert nation.recycled_g == 640_000 + 98_000 + 9_500
    assert nation.fate_g("disposal") == 29_000 + 30_000
    assert nation.loss_g == LOSS + 20_000  # the furnace's own loss
    assert nation.recycling_rate == Fraction(747_500, 1_000_000)
    # Each site's own process.
    dismantler = figures(events, ScopeKind.SITE, "site-dismantler")
    assert dismantler.recycling_rate == Fraction(797_500, 1_000_000)
    shredder = figures(events, ScopeKind.SITE, "site-shredder")
    assert shredder.input.mass_g == 690_000 and shredder.units_treated == 0
    assert shredder.recycling_rate == Fraction(640_000, 690_000)
    # A province holding both sites chains them like the nation.
    assert figures(events, ScopeKind.PROVINCE, "320000").recycling_rate == nation.recycling_rate
    # The model: its first treatment, as dismantled.
    assert figures(events, ScopeKind.MODEL, "car").recycling_rate == Fraction(797_500, 1_000_000)


def test_contributions_add_up_to_the_number_and_name_its_sites() -> None:
    events = car_chain(*shredded())
    found = rows(replay(events).flows)
    balance = balance_of(found, select(Scope(ScopeKind.NATION), master()), YEAR)
    by_site = {c.key: c.mass_g for c in contributions(balance, Measure.RECYCLED, "site", master())}
    # The dismantler produced 797.5 t for recycling; the works took the 690 t steel lot back and made 640 t.
    assert by_site == {"site-dismantler": 797_500, "site-shredder": 640_000 - 690_000}
    assert sum(by_site.values()) == balance.figures.recycled_g
    loss = contributions(balance, Measure.LOSS, "site", master())
    assert {c.key: c.mass_g for c in loss} == {"site-dismantler": LOSS, "site-shredder": 20_000}
    by_material = {
        c.key: c.mass_g for c in contributions(balance, Measure.FINAL, "material", master(), "disposal")
    }
    assert by_material == {"glass": 29_000, "steel_slag": 30_000}


def test_a_traction_pack_leaves_the_vehicle_rate_and_enters_the_battery_stream() -> None:
    ev, pack = vin(2), PACK_CODE
    events: list[Event] = [
        commission("c-pack", JAN, "maker", pack, "pack"),
        commission("c-ev", at(JAN, 1), "maker", ev, "ev"),
        Aggregate("a-ev", at(JAN, 2), "site-maker", "maker", parent=ev, children=(pack,)),
        *move("m1", at(JAN, 3), "maker", "owner", ev),
        *move("m2", at(JAN, 24), "owner", "dismantler", ev),
        disassemble("d-ev", at(JAN, 48), "dismantler", ev, *DISMANTLED),
        *move("m3", at(JAN, 72), "dismantler", "batt", pack),
        transform(
            "t-pack",
            at(JAN, 96),
            "batt",
            [pack],
            lot("BM-1", "black_mass", 100_000),
            lot("AL-1", "aluminium", 60_000),
        ),
    ]
    elv = figures(events, stream=Stream.ELV)
    assert (elv.input.mass_g, elv.transfer.mass_g) == (CAR_G + PACK_G, PACK_G)
    assert elv.treated_g == CAR_G and elv.recycling_rate == Fraction(797_500, 1_000_000)  # as the petrol car
    bat = figures(events, stream=Stream.BATTERY)
    assert bat.input.mass_g == bat.treated_g == PACK_G and bat.units_treated == 1
    assert bat.recycling_rate == Fraction(160_000, PACK_G)
    both = figures(events)
    assert both.treated_g == CAR_G + PACK_G  # the pack is counted once
    assert both.recycled_g == RECYCLED + 160_000
    # The pack's own composition is what its stream takes in (not the vehicle's).
    assert bat.elements["lithium"].input_g == PACK["lithium"]
    # Per model: the vehicle model's first treatment hands the pack on.
    model = figures(events, ScopeKind.MODEL, "ev")
    assert (model.treated_g, model.transfer.mass_g) == (CAR_G, PACK_G)


# -- batteries: recovery per element -------------------------------------------------------------------------


def battery_chain(assayed: bool = True) -> list[Event]:
    products: tuple[NewLot, ...] = (
        lot("LC-1", "lithium_carbonate", 14_000, lithium=2_630),
        lot("NS-1", "nickel_sulfate", 11_500, nickel=11_500),
        lot("CS-1", "cobalt_sulfate", 4_802, cobalt=4_802),
        lot("MS-1", "manganese_sulfate", 6_596, manganese=6_596),
        lot("RES-1", "leach_residue", 20_000, Fate.DISPOSAL),
    )
    if not assayed:
        products = tuple(lot(p.code, p.material, p.mass_g, p.fate) for p in products)
    return [
        commission("c-pack", JAN, "maker", PACK_CODE, "pack"),
        *move("m1", at(JAN, 1), "maker", "batt", PACK_CODE),  # a spare pack, straight from its maker
        transform(
            "t-pack",
            at(JAN, 48),
            "batt",
            [PACK_CODE],
            lot(
                "BM-1",
                "black_mass",
                80_000,
                lithium=2_900,
                nickel=11_800,
                cobalt=4_900,
                manganese=6_800,
                electrode_powder=54_000,
            ),
            lot("FOIL-CU-1", "copper", 19_000),
            lot("FOIL-AL-1", "aluminium", 58_000),
        ),
        *move("m2", at(JAN, 72), "batt", "refiner", "BM-1"),
        transform("t-bm", at(JAN, 96), "refiner", ["BM-1"], *products),
    ]


def test_a_battery_lot_gives_exactly_the_expected_element_recovery() -> None:
    nation = figures(battery_chain()).elements
    assert nation["lithium"].input_g == 3_000 and nation["lithium"].rate == Fraction(2_630, 3_000)
    assert nation["nickel"].rate == Fraction(11_500, 12_000)
    assert nation["cobalt"].rate == Fraction(4_802, 5_000)
    assert nation["manganese"].rate == Fraction(6_596, 7_000)
    assert nation["copper"].rate == Fraction(19_000, 20_000)
    # The refinery's own process, from the assay of the black mass it took in.
    refinery = figures(battery_chain(), ScopeKind.PARTY, "refiner").elements
    assert refinery["lithium"].rate == Fraction(2_630, 2_900)
    assert refinery["nickel"].rate == Fraction(11_500, 11_800)
    # The pre-treatment plant: electrode powder into black mass; no lithium recovered yet.
    plant = figures(battery_chain(), ScopeKind.PARTY, "batt").elements
    assert plant["electrode_powder"].rate == Fraction(54_000, PACK_POWDER_G)
    assert plant["lithium"].recovered_g == 0


def test_without_an_assay_a_product_counts_its_standard_content() -> None:
    lithium = int(14_000 * RECOVERED_FORMS["lithium_carbonate"]["lithium"])
    assert lithium == int(14_000 * 2 * 6940 / 73_891) == 2_629
    assert lot_elements("lithium_carbonate", 14_000) == {"lithium": lithium}
    assert lot_elements("nickel_sulfate", 11_564) == {"nickel": 11_564}  # booked by contained metal
    assert lot_elements("black_mass", 80_000, (("lithium", 2_900),)) == {
        "lithium": 2_900,
        "electrode_powder": 80_000,
    }
    nation = figures(battery_chain(assayed=False)).elements
    assert nation["lithium"].rate == Fraction(lithium, 3_000)
    assert nation["nickel"].rate == Fraction(11_500, 12_000)


def test_per_recycler_targets_judge_each_process_on_what_it_makes() -> None:
    report = recovery_report(rows(replay(battery_chain()).flows), Scope(ScopeKind.NATION), YEAR, master(),
                             load_catalogue())  # fmt: skip
    checks = {(c.target.id, c.subject_id): c for c in report.checks}
    li = checks[("cn_battery_2024_li", "refiner")]
    assert li.value == Fraction(2_630, 2_900) and li.met is True  # 90.7 % ≥ 90 %
    assert li.gap == Fraction(2_630, 2_900) - Fraction(90, 100)
    assert checks[("cn_battery_2024_ni", "refiner")].met is False  # 11.5 / 11.8 = 97.5 % < 98 %
    powder = checks[("cn_battery_2024_powder", "batt")]
    assert powder.value == Fraction(54_000, PACK_POWDER_G) and powder.met is False
    assert ("cn_battery_2024_li", "batt") not in checks  # a pre-treatment plant makes no lithium product
    assert ("cn_battery_2024_powder", "refiner") not in checks


# -- fates changed later, values, unknown fate, corrections ------------------------------------------------------


def test_a_dispose_event_moves_mass_to_its_fate() -> None:
    # The plastics lot declared for energy recovery is landfilled instead.
    events = car_chain(Dispose("x-pl", at(JAN, 60), "site-dismantler", "dismantler", objects=("PL-1",)))
    f = figures(events)
    assert f.fate_g("energy_recovery") == 38_000 and f.fate_g("disposal") == 29_000 + 85_000
    assert f.treated_g == CAR_G
    # A whole unit disposed of without treatment: input and disposal at once.
    landfilled = [
        commission("c-car", JAN, "maker", CAR, "car"),
        *move("m1", at(JAN, 1), "maker", "dismantler", CAR),
        Dispose("x-car", at(JAN, 5), "site-dismantler", "dismantler", objects=(CAR,)),
    ]
    g = figures(landfilled)
    assert g.treated_g == g.fate_g("disposal") == CAR_G and g.units_treated == 0


def test_remanufactured_output_value_is_summed_and_its_mass_is_not_counted_twice() -> None:
    engine = NewItem(("ENG-1",), "engine", 120_000, Fate.REMANUFACTURE)
    events = [
        commission("c-car", JAN, "maker", CAR, "car"),
        *move("m1", at(JAN, 1), "maker", "dismantler", CAR),
        disassemble("d-car", at(JAN, 5), "dismantler", CAR, lot("HULK-1", "vehicle_hulk", 800_000), parts=(engine,)),
        *move("m2", at(JAN, 24), "dismantler", "reman", "ENG-1"),
        Remanufacture("r-1", at(JAN, 48), "site-reman", "reman", objects=("ENG-1",), value_cny=8_600),
    ]  # fmt: skip
    nation = figures(events)
    assert nation.fate_g("remanufacture") == 120_000 and nation.remanufacturing_value_cny == 8_600
    assert nation.recycling_rate == Fraction(920_000, CAR_G)
    reman = figures(events, ScopeKind.SITE, "site-reman")
    assert reman.input.mass_g == 120_000 and reman.fate_g("remanufacture") == 120_000
    assert reman.remanufacturing_value_cny == 8_600


def test_mass_that_leaves_the_traced_chain_is_unknown_never_dropped() -> None:
    events = [
        commission("c-car", JAN, "maker", CAR, "car"),
        *move("m1", at(JAN, 1), "maker", "dismantler", CAR),
        disassemble("d-car", at(JAN, 5), "dismantler", CAR, lot("S-1", "steel", 700_000),
                    lot("PL-1", "plastics", 250_000, Fate.UNKNOWN)),
    ]  # fmt: skip
    f = figures(events)
    assert f.fate_g("unknown") == 250_000 and f.unknown_share == Fraction(250_000, CAR_G)
    assert f.treated_g == CAR_G and f.recycling_rate == Fraction(700_000, CAR_G)
    (line,) = [s for s in site_lines(rows(replay(events).flows), select(Scope(ScopeKind.NATION), master()), YEAR,
                                     master()) if s.site_id == "site-dismantler"]  # fmt: skip
    assert "unknown_fate" in line.flags


def test_a_corrected_event_counts_for_nothing() -> None:
    wrong = disassemble("d-wrong", at(JAN, 48), "dismantler", CAR, lot("S-9", "steel", 990_000))
    events = [
        *car_chain()[:-1],
        wrong,
        Correct(
            "x", at(JAN, 50), "site-dismantler", "dismantler", target_event_id="d-wrong", reason="wrong lots"
        ),
        disassemble("d-car", at(JAN, 51), "dismantler", CAR, *DISMANTLED),
    ]
    assert figures(events) == figures(car_chain())
    reversed_rows = [f for f in replay(events).flows if f.reverses]
    assert reversed_rows and all(f.mass_g < 0 for f in reversed_rows if f.mass_g)


def test_outputs_made_before_the_period_are_input_of_the_period() -> None:
    events = car_chain(*shredded())
    # Move the furnace to February: its input lot came out of treatment in January.
    late = [
        *car_chain(),
        *move("m3", at(FEB, 0), "dismantler", "shredder", "STEEL-1"),
        transform("t-steel", at(FEB, 24), "shredder", ["STEEL-1"], lot("CST-1", "crude_steel", 640_000),
                  lot("SLAG-1", "steel_slag", 30_000, Fate.DISPOSAL)),
    ]  # fmt: skip
    february = figures(late, period=Period("2026-02", "2026-02"))
    assert february.input.mass_g == february.treated_g == 690_000
    assert february.recycled_g == 640_000
    both = figures(late, period=Period("2026-01", "2026-02"))
    assert both.treated_g == CAR_G and both.recycled_g == figures(events).recycled_g


def test_weighing_changes_no_rate() -> None:
    weighed = car_chain()
    weighed.insert(5, Weigh("w", at(JAN, 30), "site-dismantler", "dismantler", object=CAR, mass_g=1_000_000))
    assert figures(weighed) == figures(car_chain())


# -- producers' EPR ------------------------------------------------------------------------------------------


def test_epr_counts_units_placed_collected_and_properly_treated() -> None:
    # The battery recycler's licence lapses at the end of January; the second pack is treated in February.
    reg = registration(lapse=date(2026, 1, 31))
    second = battery(2)
    events = [
        *battery_chain()[:4],
        commission("c-p2", JAN, "maker", second, "pack"),
        *move("m9", at(JAN, 5), "maker", "batt", second),
        transform("t-p2", at(FEB, 5), "batt", [second], lot("BM-2", "black_mass", 80_000)),
    ]
    found = rows(replay(events, reg).flows, by_month=True)
    (line,) = epr_lines(found, master(reg), load_catalogue(), None)
    assert (line.producer_id, line.model_id, line.epr_group) == ("maker", "pack", "traction_battery")
    assert (line.placed.count, line.collected.count, line.treated.count) == (2, 2, 2)
    assert line.properly_treated.count == 1 and line.rate == Fraction(1, 2)
    assert line.placed.mass_g == 2 * PACK_G


@pytest.mark.parametrize(
    ("period", "target_id", "target"),
    [
        (Period("2026-01", "2026-12"), "cn_epr_2025", Fraction(50, 100)),
        (Period("2024-01", "2024-12"), "cn_epr_2020", Fraction(40, 100)),
        (Period("2024-07", "2025-06"), "cn_epr_2025", Fraction(50, 100)),  # the step in force on the last day
    ],
)
def test_epr_lines_and_totals_carry_the_target_in_force_and_the_gap(
    period: Period, target_id: str, target: Fraction
) -> None:
    # Two packs placed, one treated by a licensed recycler, one after its licence lapsed; a car placed, not yet
    # treated.  Pack line: 1 / 2 properly treated; car line: 0 / 1; producer total: 1 / 3.
    reg = registration(lapse=date(2026, 1, 31))
    second = battery(2)
    events = [
        *battery_chain()[:4],
        commission("c-p2", JAN, "maker", second, "pack"),
        *move("m9", at(JAN, 5), "maker", "batt", second),
        transform("t-p2", at(FEB, 5), "batt", [second], lot("BM-2", "black_mass", 80_000)),
        commission("c-car", JAN, "maker", CAR, "car"),
    ]
    found = rows(replay(events, reg).flows, by_month=True)
    catalogue = load_catalogue()
    car, pack = epr_lines(found, master(reg), catalogue, None, period)
    assert (car.model_id, pack.model_id) == ("car", "pack")
    assert pack.target is not None and pack.target.id == target_id and pack.target.base_value == target
    assert pack.rate == Fraction(1, 2) and pack.gap == Fraction(1, 2) - target
    assert car.rate == 0 and car.gap == -target
    total = EprTotals.of([car, pack], epr_target(catalogue, period))
    assert (total.placed_units, total.rate_units) == (3, 1)
    assert total.target is not None and total.target.id == target_id
    assert total.gap == Fraction(1, 3) - target
    assert epr_lines(found, master(reg), catalogue, None)[1].gap is None  # no period: no target, no gap


def test_flows_carry_the_stage_the_rates_need() -> None:
    changes = replay(car_chain(*shredded()))
    stages = {(f.event_id, f.direction, f.stage) for f in changes.flows}
    assert ("c-car", Direction.COMMISSIONED, Stage.PLACED_ON_MARKET) in stages
    assert ("m2-r", Direction.RECEIVED, Stage.COLLECTED) in stages
    assert ("m1-r", Direction.RECEIVED, None) in stages  # an owner buying a car collects nothing
    assert ("d-car", Direction.CONSUMED, Stage.ENTRY) in stages
    assert ("d-car", Direction.PRODUCED, Stage.PRIMARY) in stages
    assert ("t-steel", Direction.CONSUMED, Stage.INTERMEDIATE) in stages
    assert ("t-steel", Direction.PRODUCED, Stage.SECONDARY) in stages
    consumed = next(f for f in changes.flows if f.event_id == "t-steel" and f.direction is Direction.CONSUMED)
    assert consumed.origin_site_id == "site-dismantler"
    produced = next(f for f in changes.flows if f.event_id == "d-car" and f.direction is Direction.PRODUCED)
    assert produced.model_id == "car"  # outputs count for the model taken apart
