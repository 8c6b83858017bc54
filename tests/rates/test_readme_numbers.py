"""Every number in the README's demo report tables, and in docs/rates.md § 8, is what the code computes on the demo
data: a change to the engine, the targets or the demo that moves a number fails here until the docs follow.

A cell's numbers are compared at the precision the cell shows them (68.8 % against the rate rounded to one decimal,
5.8e-6 % at two significant digits); "0" means nothing at all (under half a kilogram)."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from retrace.domain.model import Stream
from retrace.domain.rates.balance import Figures
from retrace.domain.rates.report import RecoveryReport, TargetCheck
from tests.rates.test_demo_report import national

ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?")


def section(path: Path, heading: str) -> str:
    """The text of the section under ``heading`` (to the next heading of the same or a higher level)."""
    text = path.read_text(encoding="utf-8")
    level = heading.split(" ")[0]
    start = text.index(heading)
    rest = text[start + len(heading) :]
    ends = [m.start() for m in re.finditer(rf"^#{{1,{len(level)}}} ", rest, re.M)]
    return rest[: ends[0]] if ends else rest


def table_rows(text: str) -> list[list[str]]:
    """The body rows of every markdown table in the text, as cells (header and rule rows left out)."""
    out: list[list[str]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("|") or re.match(r"^\|[\s\-:|]+\|$", line):
            continue
        if i + 1 < len(lines) and re.match(r"^\|[\s\-:|]+\|$", lines[i + 1]):
            continue  # the header
        out.append([cell.strip().strip("*").strip() for cell in line.strip("|").split("|")])
    return out


def numbers(cells: list[str]) -> list[str]:
    return [n for cell in cells for n in NUMBER.findall(cell)]


def agrees(shown: str, value: float) -> bool:
    """Whether ``value`` rounds to ``shown`` at the precision ``shown`` is written with."""
    plain = shown.replace(",", "")
    if plain == "0":
        return abs(value) < 0.0005
    if "e" in plain:
        mantissa = plain.split("e")[0]
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return float(f"{value:.{digits}e}") == float(plain)
    digits = len(plain.split(".")[1]) if "." in plain else 0
    return f"{value:.{digits}f}" == plain


def assert_agree(label: str, shown: list[str], expected: list[float]) -> None:
    assert len(shown) == len(expected), (
        f"{label}: the docs show {shown}, the code has {len(expected)} numbers"
    )
    for text, value in zip(shown, expected, strict=True):
        assert agrees(text, value), f"{label}: the docs say {text}, the demo data give {value}"


# -- the mass balance tables -----------------------------------------------------------------------------------

TONNES = 1_000_000


def pct(value: Fraction | None) -> float:
    assert value is not None
    return float(value) * 100


BALANCE: dict[str, Callable[[Figures], float]] = {
    "Collected (t)": lambda f: f.collected.mass_g / TONNES,
    "Treated (t)": lambda f: f.treated_g / TONNES,
    "Reuse (t)": lambda f: f.fate_g("reuse") / TONNES,
    "Recycling (t)": lambda f: f.fate_g("recycling") / TONNES,
    "Remanufacture (t)": lambda f: f.fate_g("remanufacture") / TONNES,
    "Energy recovery (t)": lambda f: f.fate_g("energy_recovery") / TONNES,
    "Disposal (t)": lambda f: f.fate_g("disposal") / TONNES,
    "Unknown fate (t)": lambda f: f.fate_g("unknown") / TONNES,
    "Loss (t)": lambda f: f.loss_g / TONNES,
    "Reagents in the outputs": lambda f: f.reagents.mass_g / TONNES,
    "Recycling rate": lambda f: pct(f.recycling_rate),
    "Recovery rate": lambda f: pct(f.recovery_rate),
}


def balance_row(report: RecoveryReport, label: str) -> list[float]:
    (measure,) = [m for key, m in BALANCE.items() if label.startswith(key)]
    streams = dict(report.streams)
    return [
        measure(f)
        for f in (report.figures, streams[Stream.WEEE], streams[Stream.ELV], streams[Stream.BATTERY])
    ]


# -- the targets table -----------------------------------------------------------------------------------------


def check(report: RecoveryReport, target_id: str, subject_id: str | None = None) -> TargetCheck:
    (found,) = [
        c
        for c in report.checks
        if c.target.id == target_id and (subject_id is None or c.subject_id == subject_id)
    ]
    return found


def rate(report: RecoveryReport, target_id: str, subject_id: str | None = None) -> list[float]:
    """Measured % and the target's %."""
    c = check(report, target_id, subject_id)
    return [pct(c.value), float(c.target.value)]


def quantity(report: RecoveryReport, target_id: str, per: int = 1) -> list[float]:
    """Traced amount a year (in ``per`` base units), the target in its own unit, and the share of it in %."""
    c = check(report, target_id)
    assert c.value is not None and c.share_of_target is not None
    return [float(c.value) / per, float(c.target.value), float(c.share_of_target) * 100]


def several(report: RecoveryReport, ids: list[str], subject_id: str | None = None) -> list[float]:
    """Measured values of several rate targets, then their target values."""
    checks = [check(report, i, subject_id) for i in ids]
    return [pct(c.value) for c in checks] + [float(c.target.value) for c in checks]


REFINERY = "ganzhou-lithium"
BATTERY_NORMS = ["cn_battery_2024_li", "cn_battery_2024_ni", "cn_battery_2024_co", "cn_battery_2024_mn"]

TARGET_ROWS: dict[str, Callable[[RecoveryReport], list[float]]] = {
    "主要再生资源利用率": lambda r: rate(r, "miit_renewable_utilisation_rate"),
    "主要再生资源回收利用量": lambda r: quantity(r, "miit_renewable_resources", TONNES),
    "再生有色金属": lambda r: quantity(r, "miit_nonferrous", TONNES),
    "废钢铁": lambda r: quantity(r, "miit_scrap_steel", TONNES),
    "废塑料": lambda r: quantity(r, "miit_plastics", TONNES),
    "废旧轮胎": lambda r: quantity(r, "miit_tyres", TONNES),
    "废弃电器电子产品": lambda r: quantity(r, "miit_weee_units"),
    "再制造产业规模": lambda r: quantity(r, "miit_remanufacturing_scale"),
    "工业固体废物综合利用率": lambda r: rate(r, "miit_solid_waste_utilisation"),
    "EPR regulated treatment rate": lambda r: rate(r, "cn_epr_2025"),
    "ELV reuse + recycling": lambda r: several(r, ["eu_elv_recycling", "eu_elv_recovery"]),
    "WEEE recovery": lambda r: several(
        r, ["eu_weee_cat1_4_recovery", "eu_weee_cat2_recovery", "eu_weee_cat5_6_recovery"]
    ),
    "Li / Ni / Co / Mn recovery": lambda r: [
        *several(r, BATTERY_NORMS, REFINERY),
        -float(check(r, "cn_battery_2024_li", REFINERY).gap or 0) * 100,  # short of it "by 0.004 pt"
    ],
}


@pytest.fixture(scope="module")
def report(demo_db: Path) -> RecoveryReport:
    return national(demo_db)


def test_the_readme_report_tables_are_the_codes(report: RecoveryReport) -> None:
    text = section(ROOT / "README.md", "## Recovery against the targets")
    seen: set[str] = set()
    for cells in table_rows(text):
        label = cells[0]
        targets = [key for key in TARGET_ROWS if label.startswith(key)]
        if targets:
            (key,) = targets
            seen.add(key)
            assert_agree(label, numbers(cells[1:]), TARGET_ROWS[key](report))
        else:
            assert any(label.startswith(k) for k in BALANCE), f"README row {label!r} is tied to no figure"
            seen.add(label)
            assert_agree(label, numbers(cells[1:]), balance_row(report, label))
    assert set(TARGET_ROWS) <= seen, "every measured 2020 indicator and target row is in the README"
    epr = report.epr
    assert epr is not None and f"({epr.placed_units} products placed on the market)" in text


def test_the_rates_doc_demo_report_is_the_codes(report: RecoveryReport) -> None:
    text = section(ROOT / "docs" / "rates.md", "## 8. The demo's national report")
    rows = table_rows(text)
    assert len(rows) >= 6
    for cells in rows:
        assert_agree(cells[0], numbers(cells[1:]), balance_row(report, cells[0]))
    prose = " ".join(text.split())
    elements = report.figures.elements
    sentence = re.search(
        r"Li ([\d.]+) %, Ni ([\d.]+) %, Co ([\d.]+) %, Mn ([\d.]+) %, Cu \(all streams\) ([\d.]+) %", prose
    )
    assert sentence, "the battery materials sentence"
    assert_agree(
        "battery materials, nation",
        list(sentence.groups()),
        [pct(elements[e].rate) for e in ("lithium", "nickel", "cobalt", "manganese", "copper")],
    )
    refinery = re.search(r"The refinery: Li ([\d.]+) %, Ni ([\d.]+) %, Co ([\d.]+) %, Mn ([\d.]+) %", prose)
    assert refinery, "the refinery sentence"
    assert_agree("refinery", list(refinery.groups()), several(report, BATTERY_NORMS, REFINERY)[:4])
    epr_sentence = re.search(
        r"EPR: (\d+) products placed on the market, regulated treatment rate ([\d.]+) %", prose
    )
    assert epr_sentence and report.epr is not None
    assert_agree("EPR", list(epr_sentence.groups()), [report.epr.placed_units, pct(report.epr.rate)])
