"""Properties of the rates over random chains: bounded by mass balance, blind to what does not concern them."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from retrace.domain.events import Event, NewItem
from retrace.domain.model import Fate, Stream
from retrace.domain.rates.aggregates import month_of
from retrace.domain.rates.balance import Figures
from retrace.domain.rates.report import Period, Scope, ScopeKind, balance_of, select
from tests.rates.support import (
    CAR_G,
    JAN,
    PACK_G,
    at,
    commission,
    disassemble,
    lot,
    master,
    move,
    replay,
    rows,
    transform,
    vin,
)

FATES = list(Fate)
Lot = tuple[int, Fate]
Vehicle = tuple[list[Lot], bool, int, int, int]

vehicles = st.lists(
    st.tuples(
        st.lists(st.tuples(st.integers(0, 600_000), st.sampled_from(FATES)), min_size=1, max_size=5),
        st.booleans(),  # its first lot goes on to the steel works
        st.integers(0, 100),  # the works' yield of crude steel (% of the lot)
        st.integers(0, 100),  # slag (% of the rest)
        st.integers(0, 80),  # days after 5 January it is dismantled
    ),
    min_size=1,
    max_size=6,
)


def chain(drawn: list[Vehicle]) -> list[Event]:
    """Vehicles dismantled into lots whose masses never exceed the vehicle's (mass balance, no tolerance), some
    lots melted again.  Every event is in 2026."""
    events: list[Event] = []
    for i, (lots, melt, steel_pct, slag_pct, day) in enumerate(drawn):
        total = sum(m for m, _ in lots)
        scale = min(1.0, CAR_G / total) if total else 1.0
        masses = [int(m * scale) for m, _ in lots]
        code = vin(100 + i)
        t = JAN + timedelta(days=day)
        outputs = [
            lot(f"L{i}-{j}", "steel", m, f) for j, (m, (_, f)) in enumerate(zip(masses, lots, strict=True))
        ]
        events += [
            commission(f"c{i}", t, "maker", code, "car"),
            *move(f"m{i}", at(t, 1), "maker", "dismantler", code),
            disassemble(f"d{i}", at(t, 5), "dismantler", code, *outputs),
        ]
        if melt and outputs[0].fate is not Fate.UNKNOWN:
            first = outputs[0]
            steel = first.mass_g * steel_pct // 100
            slag = (first.mass_g - steel) * slag_pct // 100
            events += [
                *move(f"s{i}", at(t, 24 * (1 + i % 40)), "dismantler", "shredder", first.code),
                transform(f"t{i}", at(t, 24 * (2 + i % 40)), "shredder", [first.code],
                          lot(f"CST{i}", "crude_steel", steel), lot(f"SLAG{i}", "steel_slag", slag, Fate.DISPOSAL)),
            ]  # fmt: skip
    return events


def figures(events: list[Event], period: Period, kind: ScopeKind = ScopeKind.NATION, key: str | None = None,
            stream: Stream | None = None, shuffle: int | None = None) -> Figures:  # fmt: skip
    found = rows(f for f in replay(events).flows if period.contains(month_of(f.event_time)))
    if shuffle is not None:
        random.Random(shuffle).shuffle(found)
    return balance_of(found, select(Scope(kind, key, stream), master()), period, stream).figures


def assert_bounded(f: Figures) -> None:
    assert f.treated_g >= 0 and f.loss_g >= 0
    assert all(a.mass_g >= 0 for a in f.final.values())
    assert f.final_g + f.loss_g == f.treated_g
    for rate in (f.recycling_rate, f.recovery_rate, f.unknown_share):
        assert rate is None or 0 <= rate <= 1
    if f.recycling_rate is not None and f.recovery_rate is not None:
        assert f.recycling_rate <= f.recovery_rate


months = st.integers(1, 12)


@settings(max_examples=60, deadline=None)
@given(vehicles, months, months)
def test_rates_stay_within_zero_and_one_when_mass_balance_holds(drawn: list[Vehicle], a: int, b: int) -> None:
    period = Period(f"2026-{min(a, b):02d}", f"2026-{max(a, b):02d}")
    events = chain(drawn)
    for kind, key in [(ScopeKind.NATION, None), (ScopeKind.SITE, "site-dismantler"),
                      (ScopeKind.SITE, "site-shredder"), (ScopeKind.MODEL, "car")]:  # fmt: skip
        assert_bounded(figures(events, period, kind, key))
    whole = figures(events, Period("2026-01", "2026-12"))
    assert whole.treated_g == CAR_G * len(drawn) and whole.units_treated == len(drawn)


@settings(max_examples=40, deadline=None)
@given(vehicles, st.integers(0, 10_000))
def test_the_order_of_the_aggregate_rows_does_not_matter(drawn: list[Vehicle], seed: int) -> None:
    events, year = chain(drawn), Period("2026-01", "2026-12")
    assert figures(events, year, shuffle=seed) == figures(events, year)


@settings(max_examples=40, deadline=None)
@given(vehicles, st.integers(0, 5))
def test_an_irrelevant_event_changes_nothing(drawn: list[Vehicle], where: int) -> None:
    events, year = chain(drawn), Period("2026-01", "2026-12")
    before = {
        "nation": figures(events, year, stream=Stream.ELV),
        "dismantler": figures(events, year, ScopeKind.SITE, "site-dismantler"),
        "model": figures(events, year, ScopeKind.MODEL, "car"),
    }
    # A battery pack made, shipped to a recycler elsewhere and treated there: another stream, site and model.
    pack = "0A1PE0500000000000000777"
    unrelated: list[Event] = [
        commission("u-c", JAN, "maker", pack, "pack"),
        *move("u-m", at(JAN, 2), "maker", "batt", pack),
        transform("u-t", at(JAN, 30), "batt", [pack], lot("U-BM", "black_mass", 90_000)),
    ]
    mixed = events[: where * len(events) // 5] + unrelated + events[where * len(events) // 5 :]
    assert figures(mixed, year, stream=Stream.ELV) == before["nation"]
    assert figures(mixed, year, ScopeKind.SITE, "site-dismantler") == before["dismantler"]
    assert figures(mixed, year, ScopeKind.MODEL, "car") == before["model"]


@settings(max_examples=30, deadline=None)
@given(vehicles)
def test_splitting_a_period_into_months_adds_up_to_the_input(drawn: list[Vehicle]) -> None:
    events = chain(drawn)
    whole = figures(events, Period("2026-01", "2026-12"))
    monthly_entries = sum(
        figures(events, Period(m, m)).units_treated for m in (f"2026-{i:02d}" for i in range(1, 13))
    )
    assert monthly_entries == whole.units_treated


def test_a_part_without_a_fate_is_pending_not_lost() -> None:
    code = vin(999)
    events: list[Event] = [
        commission("c", JAN, "maker", code, "car"),
        *move("m", at(JAN, 1), "maker", "dismantler", code),
        disassemble("d", at(JAN, 5), "dismantler", code, lot("S-900", "steel", 600_000),
                    parts=(NewItem(("ENG-9",), "engine", 120_000),)),
    ]  # fmt: skip
    f = figures(events, Period("2026-01", "2026-12"))
    assert f.pending.mass_g == 120_000 and f.treated_g == CAR_G - 120_000
    assert_bounded(f)


# -- reagents: whatever a refinery declares, no rate leaves [0, 1] -----------------------------------------------------

refineries = st.lists(
    st.tuples(
        st.integers(0, 200_000),  # reagents declared (g)
        st.lists(st.tuples(st.integers(0, 120_000), st.sampled_from(FATES)), min_size=1, max_size=4),
        st.booleans(),  # its first output is dissolved again downstream, with more reagents
        st.integers(0, 50_000),  # those reagents (g)
    ),
    min_size=1,
    max_size=4,
)


def refinery_events(drawn: list[tuple[int, list[tuple[int, Fate]], bool, int]]) -> list[Event]:
    """Packs into black mass; black mass with reagents into outputs that fit the mass balance (no tolerance);
    some outputs treated again with reagents of their own."""
    events: list[Event] = []
    for i, (reagents, outs, again, more) in enumerate(drawn):
        pack, t = f"0A1PE05{900 + i:017d}", JAN + timedelta(days=i)
        total = sum(m for m, _ in outs)
        room = 80_000 + reagents
        scale = min(1.0, room / total) if total else 1.0
        outputs = [lot(f"R{i}-{j}", "nickel_sulfate_hexahydrate", int(m * scale), f)
                   for j, (m, f) in enumerate(outs)]  # fmt: skip
        events += [
            commission(f"rc{i}", t, "maker", pack, "pack"),
            *move(f"rm{i}", at(t, 1), "maker", "batt", pack),
            transform(f"rt{i}", at(t, 2), "batt", [pack], lot(f"RBM{i}", "black_mass", 80_000)),
            *move(f"rn{i}", at(t, 3), "batt", "refiner", f"RBM{i}"),
            dataclasses.replace(transform(f"rr{i}", at(t, 4), "refiner", [f"RBM{i}"], *outputs),
                                reagents_g=reagents),
        ]  # fmt: skip
        if again and outputs[0].fate is not Fate.UNKNOWN:
            first = outputs[0]
            events.append(
                dataclasses.replace(
                    transform(
                        f"ra{i}",
                        at(t, 5),
                        "refiner",
                        [first.code],
                        lot(f"RA{i}", "nickel_hydroxide", (first.mass_g + more) // 2),
                        lot(f"RW{i}", "sodium_sulfate", (first.mass_g + more) // 3, Fate.DISPOSAL),
                    ),
                    reagents_g=more,
                )
            )
    return events


@settings(max_examples=60, deadline=None)
@given(refineries, months, months)
def test_reagents_never_take_a_rate_out_of_zero_and_one(
    drawn: list[tuple[int, list[tuple[int, Fate]], bool, int]], a: int, b: int
) -> None:
    events = refinery_events(drawn)
    period = Period(f"2026-{min(a, b):02d}", f"2026-{max(a, b):02d}")
    for kind, key in [(ScopeKind.NATION, None), (ScopeKind.SITE, "site-refiner"), (ScopeKind.SITE, "site-batt"),
                      (ScopeKind.MODEL, "pack")]:  # fmt: skip
        f = figures(events, period, kind, key)
        assert_bounded(f)
        assert f.reagents.mass_g >= 0
    whole = figures(events, Period("2026-01", "2026-12"))
    assert whole.treated_g == PACK_G * len(drawn)  # reagents are never input
    assert whole.final_g + whole.loss_g == whole.treated_g


# -- a batch of several streams: each stream's figures are its share, and they add up ---------------------------------

smelts = st.lists(
    st.tuples(st.integers(0, 9_500), st.integers(0, 19_000), st.integers(0, 100), st.integers(0, 100)),
    min_size=1,
    max_size=4,
)


def smelt_events(drawn: list[tuple[int, int, int, int]]) -> list[Event]:
    """Per draw: a car and a pack, each dismantled into a copper lot; both lots smelted together into cathode
    (``pct`` of the input) and slag (``slag`` % of the rest)."""
    events: list[Event] = []
    for i, (car_cu, pack_cu, pct, slag) in enumerate(drawn):
        car, pack, t = vin(300 + i), f"0A1PE05{700 + i:017d}", JAN + timedelta(days=i)
        total = car_cu + pack_cu
        cathode = total * pct // 100
        events += [
            commission(f"sc{i}", t, "maker", car, "car"),
            *move(f"sm{i}", at(t, 1), "maker", "dismantler", car),
            disassemble(f"sd{i}", at(t, 2), "dismantler", car, lot(f"SCU{i}", "copper", car_cu),
                        lot(f"SST{i}", "steel", 600_000)),
            commission(f"pc{i}", t, "maker", pack, "pack"),
            *move(f"pm{i}", at(t, 1), "maker", "batt", pack),
            transform(f"pt{i}", at(t, 2), "batt", [pack], lot(f"PCU{i}", "copper", pack_cu)),
            *move(f"sx{i}", at(t, 3), "dismantler", "shredder", f"SCU{i}"),
            *move(f"px{i}", at(t, 3), "batt", "shredder", f"PCU{i}"),
            transform(f"st{i}", at(t, 4), "shredder", [f"SCU{i}", f"PCU{i}"],
                      lot(f"CUC{i}", "copper_cathode", cathode),
                      lot(f"CSL{i}", "copper_slag", (total - cathode) * slag // 100, Fate.DISPOSAL)),
        ]  # fmt: skip
    return events


@settings(max_examples=40, deadline=None)
@given(smelts)
def test_the_streams_of_a_mixed_batch_add_up_to_the_whole(drawn: list[tuple[int, int, int, int]]) -> None:
    events, year = smelt_events(drawn), Period("2026-01", "2026-12")
    whole = figures(events, year)
    parts = [figures(events, year, stream=s) for s in (Stream.ELV, Stream.BATTERY)]
    for part in parts:
        assert_bounded(part)
    assert sum(p.treated_g for p in parts) == whole.treated_g
    assert sum(p.recycled_g for p in parts) == whole.recycled_g
    assert sum(p.loss_g for p in parts) == whole.loss_g
    assert parts[0].treated_g == CAR_G * len(drawn) and parts[1].treated_g == PACK_G * len(drawn)
    for stream in (Stream.ELV, Stream.BATTERY):  # the smelter's own process, stream by stream
        assert_bounded(figures(events, year, ScopeKind.SITE, "site-shredder", stream=stream))
