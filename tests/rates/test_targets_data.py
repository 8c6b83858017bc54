"""The targets are data with sources: every row parses, matches the figure it was transcribed from, and every 2020
indicator the platform can measure has a target."""

from __future__ import annotations

import csv
import dataclasses
import io
from decimal import Decimal
from fractions import Fraction

import pytest

from retrace.demo import catalogue as demo
from retrace.domain.changes import FlowRecord
from retrace.domain.errors import InvalidInput
from retrace.domain.model import Stream
from retrace.domain.rates.balance import Balance
from retrace.domain.rates.report import Period, Scope, ScopeKind, measure, recovery_report
from retrace.domain.rates.targets import UNITS, catalogue_from_rows, content_version
from retrace.targets import FILES, load_catalogue, read_text, rows
from tests.rates.support import master, replay
from tests.rates.support import rows as aggregate
from tests.rates.test_formulas import battery_chain

SOURCES = {name: rows(read_text(f"sources/{name}")) for name in (
    "miit-green-plan-2020-indicators.csv", "other-recovery-targets.csv")}  # fmt: skip
MIIT_UNITS = {"100 Mt (亿吨)": "100 Mt", "10 kt (万吨)": "10 kt", "100 million units (亿台)": "100 million units",
              "100 million CNY (亿元)": "100 million CNY", "%": "%"}  # fmt: skip


def test_every_row_parses_and_the_version_is_the_content() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.targets) == len(rows(read_text("targets.csv"))) >= 30
    assert catalogue.version == content_version(*(read_text(name) for name in FILES))
    assert all(t.unit in UNITS for t in catalogue.targets)


def test_every_measurable_2020_indicator_has_its_target_with_the_plans_figure() -> None:
    targets = {t.source: t for t in load_catalogue().targets if t.source.startswith("miit")}
    for row in SOURCES["miit-green-plan-2020-indicators.csv"]:
        source = f"miit-green-plan-2020-indicators.csv#{row['id']}"
        if row["traceable_by_platform"] == "no":
            assert source not in targets, row["id"]
            continue
        target = targets[source]
        assert target.value == Decimal(row["target_2020"]), row["id"]
        assert target.unit == MIIT_UNITS[row["unit"]], row["id"]
        assert target.name_zh == row["indicator_zh"] and target.measure, row["id"]
    assert len(targets) == 9


def test_every_other_target_is_transcribed_with_its_status() -> None:
    catalogue = load_catalogue()
    for row in SOURCES["other-recovery-targets.csv"]:
        mine = [t for t in catalogue.targets if t.source == f"other-recovery-targets.csv#{row['id']}"]
        assert mine, row["id"]
        assert any(t.value == Decimal(row["value_pct"]) for t in mine), row["id"]
        assert all(t.status.value == row["status"] for t in mine), row["id"]
        assert all(t.jurisdiction == row["jurisdiction"] for t in mine), row["id"]


def test_every_measure_named_in_the_data_is_one_the_engine_computes() -> None:
    empty = Balance()
    for target in load_catalogue().targets:
        if target.measure is None:
            assert target.note, target.id
            continue
        assert measure(
            target.measure, empty, empty.figures, load_catalogue(), Period("2026-01", "2026-12")
        ), target.id


def test_later_editions_take_over_on_their_date() -> None:
    li = [
        t
        for t in load_catalogue().targets
        if t.measure == "element_recovery:lithium" and t.jurisdiction == "CN"
    ]
    by_year = {year: [t.id for t in li if t.in_force(Period(year, year).first_day, Period(year, year).last_day)]
               for year in ("2024-06", "2025-06")}  # fmt: skip
    assert by_year == {"2024-06": ["cn_battery_2019_li"], "2025-06": ["cn_battery_2024_li"]}
    assert load_catalogue().targets[0].base_value == Fraction(35, 10) * 10**14


def test_the_demo_categories_and_materials_are_classified() -> None:
    catalogue = load_catalogue()
    assert {s.category for s in demo.SPECS.values()} <= set(catalogue.categories)
    assert catalogue.shares("vehicle_hulk")[0].indicator_class == "ferrous"
    assert catalogue.shares("no-such-material")[0].indicator_class == "other"


def _with(row: dict[str, str], **changes: str) -> list[dict[str, str]]:
    return [{**row, **changes}]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [({"unit": "kt"}, "unknown unit"), ({"subject": "planet"}, "unknown subject"), ({"status": "maybe"}, "status"),
     ({"value": "lots"}, "not a number"), ({"applies_to": "2019-01-01"}, "before"),
     ({"measure": "", "note": ""}, "needs a note")],
)  # fmt: skip
def test_a_malformed_row_is_refused_naming_it(changes: dict[str, str], fragment: str) -> None:
    good = rows(read_text("targets.csv"))[0]
    catalogue_from_rows([good])
    with pytest.raises(InvalidInput) as caught:
        catalogue_from_rows(_with(good, **changes))
    assert fragment in caught.value.message and good["id"] in caught.value.message


def test_shares_of_a_material_above_one_are_refused() -> None:
    text = "material,class,share,note\nx,ferrous,0.7,\nx,plastics,0.4,\n"
    with pytest.raises(InvalidInput):
        catalogue_from_rows([], list(csv.DictReader(io.StringIO(text))))


def test_a_report_after_2031_holds_the_refinery_to_the_2031_step() -> None:
    """The EU material recovery targets rise on 2031-12-31 (Co, Ni, Cu 90 → 95 %, Li 50 → 80 %): a report of 2032
    checks the refinery against the later step only, and lead against a row that says why it is not measured."""

    def six_years_on(flow: FlowRecord) -> FlowRecord:
        origin = flow.origin_at.replace(year=flow.origin_at.year + 6) if flow.origin_at else None
        return dataclasses.replace(
            flow, event_time=flow.event_time.replace(year=flow.event_time.year + 6), origin_at=origin
        )

    flows = [six_years_on(f) for f in replay(battery_chain()).flows]
    period = Period("2032-01", "2032-12")
    report = recovery_report(
        aggregate(flows), Scope(ScopeKind.NATION, stream=Stream.BATTERY), period, master(), load_catalogue()
    )
    eu = {c.target.id: c for c in report.checks if c.target.id.startswith("eu_bat_mat")}
    assert set(eu) == {"eu_bat_mat_co_2031", "eu_bat_mat_ni_2031", "eu_bat_mat_cu_2031", "eu_bat_mat_li_2031",
                       "eu_bat_mat_pb_2031"}  # fmt: skip
    assert {i: float(c.target.value) for i, c in eu.items()} == {
        "eu_bat_mat_co_2031": 95, "eu_bat_mat_ni_2031": 95, "eu_bat_mat_cu_2031": 95, "eu_bat_mat_li_2031": 80,
        "eu_bat_mat_pb_2031": 95,
    }  # fmt: skip
    li = eu["eu_bat_mat_li_2031"]
    assert li.subject_id == "refiner" and li.value == Fraction(2_630, 2_900)  # the refinery's own process
    assert li.gap == Fraction(2_630, 2_900) - Fraction(80, 100) and li.met
    assert eu["eu_bat_mat_ni_2031"].value == Fraction(11_500, 11_800) and eu["eu_bat_mat_ni_2031"].met
    assert (
        eu["eu_bat_mat_pb_2031"].value is None
        and "lead is not a tracked element" in eu["eu_bat_mat_pb_2031"].note
    )


@pytest.mark.parametrize(
    ("month", "step"),
    [("2027-06", None), ("2028-06", "eu_bat_mat_li_2027"), ("2031-12", "eu_bat_mat_li_2031")],
)
def test_one_step_of_a_target_is_in_force_at_a_time(month: str, step: str | None) -> None:
    period = Period(month, month)
    li = [t.id for t in load_catalogue().targets
          if t.id.startswith("eu_bat_mat_li") and t.in_force(period.last_day, period.last_day)]  # fmt: skip
    assert li == ([step] if step else [])
    portable = {
        year: [t.value for t in load_catalogue().targets if t.id.startswith("eu_bat_portable")
               and t.in_force(Period(year, year).last_day, Period(year, year).last_day)]
        for year in ("2024-06", "2029-06", "2031-06")
    }  # fmt: skip
    assert portable == {"2024-06": [45], "2029-06": [63], "2031-06": [73]}
