"""Properties of the rates over random chains: bounded by mass balance, blind to what does not concern them."""

from __future__ import annotations

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
