"""The demo data gives a plausible national report against every measurable 2020 indicator (README, docs/rates.md)."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

from retrace.adapters.sqlite.store import SqliteStore
from retrace.app.reporting import ReportQueries
from retrace.domain.rates.report import Period, RecoveryReport, Scope, ScopeKind
from retrace.targets import load_catalogue, read_text, rows


def national(demo_db: Path) -> RecoveryReport:
    async def run() -> RecoveryReport:
        store = await SqliteStore.open(demo_db)
        try:
            return await ReportQueries(store, load_catalogue()).recovery(
                Scope(ScopeKind.NATION), Period("2025-01", "2026-09")
            )
        finally:
            await store.close()

    return asyncio.run(run())


def test_the_national_demo_report_is_plausible(demo_db: Path) -> None:
    report = national(demo_db)
    f = report.figures
    assert Fraction(60, 100) < (f.recycling_rate or 0) < (f.recovery_rate or 0) < Fraction(85, 100)
    assert 0 < f.loss_g < f.treated_g // 10  # a few per cent lost in dismantling and smelting
    assert 0 < f.fate_g("unknown") < f.treated_g // 1000  # the one plastics lot sold off the platform
    assert f.remanufacturing_value_cny > 0 and f.units_treated == 246
    streams = dict(report.streams)
    for stream in streams.values():
        assert (
            Fraction(55, 100)
            < (stream.recycling_rate or 0)
            <= (stream.recovery_rate or 0)
            < Fraction(90, 100)
        )
    for element, low, high in (
        ("lithium", 80, 92),
        ("nickel", 92, 98),
        ("cobalt", 92, 98),
        ("manganese", 90, 98),
    ):
        rate = f.elements[element].rate or 0
        assert Fraction(low, 100) < rate < Fraction(high, 100), element


def test_every_measurable_2020_indicator_is_reported(demo_db: Path) -> None:
    report = national(demo_db)
    measurable = {
        r["id"] for r in rows(read_text("sources/miit-green-plan-2020-indicators.csv"))
        if r["traceable_by_platform"] in ("yes", "partial")
    }  # fmt: skip
    checked = {
        c.target.source.partition("#")[2]: c for c in report.checks if c.target.source.startswith("miit")
    }
    assert set(checked) == measurable
    for check in checked.values():
        assert check.value is not None and check.value > 0, check.target.id
    quantities = [c for c in checked.values() if c.share_of_target is not None]
    assert len(quantities) == 7 and all(0 < (c.share_of_target or 0) < Fraction(1, 10**5) for c in quantities)
