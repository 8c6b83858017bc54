"""``trace report``: the recovery report of a scope and period as tables, and as CSV or JSON files.

The JSON file is the REST API's ``/api/v1/reports/recovery`` body; the CSV file has one row per figure, stream,
element and target check, for a spreadsheet.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from retrace.cli.common import load_settings, out, reported
from retrace.domain.model import Stream
from retrace.domain.rates.aggregates import REPORTING_TZ, add_months, month_of
from retrace.domain.rates.balance import Figures
from retrace.domain.rates.report import EprTotals, Period, RecoveryReport, Scope, ScopeKind, TargetCheck
from retrace.domain.rates.targets import UNITS, Quantity

FATES = ("reuse", "remanufacture", "recycling", "energy_recovery", "disposal", "unknown")
FATE_ZH = {
    "reuse": "再使用",
    "remanufacture": "再制造",
    "recycling": "再生利用",
    "energy_recovery": "能量回收",
    "disposal": "处置",
    "unknown": "去向不明",
}
# How the plan writes its units (the data's units are their English equivalents).
UNIT_ZH = {"10 kt": "万吨", "100 Mt": "亿吨", "100 million units": "亿台", "100 million CNY": "亿元"}
VERIFY_NOTE = (
    "(verify) / (核实): the target is from a secondary source (docs/rates.md) / 目标值来自二手资料，请核实"
)


def _fate_column(fate: str) -> Callable[[Figures], str]:
    return lambda figures: _t(figures.fate_g(fate))


def report(
    scope: Annotated[
        ScopeKind, typer.Option(help="nation, province, party, site, producer or model / 范围")
    ] = ScopeKind.NATION,
    id_: Annotated[
        str | None,
        typer.Option("--id", help="Province code (44), party, site, producer or model id / 编号"),
    ] = None,
    stream: Annotated[Stream | None, typer.Option(help="Only this stream: weee, elv, battery / 流向")] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="First month, YYYY-MM (default: 11 months before --to) / 起始月"),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last month, YYYY-MM (default: this month) / 截止月")
    ] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write the report as CSV / 导出 CSV")
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write the report as JSON / 导出 JSON")
    ] = None,
) -> None:
    """Recovery rates against the targets, from the recorded flows / 回收利用率与目标对比报告。"""
    with reported("report", "报告"):
        # The store, the targets and the REST body's pydantic models load when a report is made, not at start-up.
        from retrace.api.schemas.reports import RecoveryReportResponse
        from retrace.app.reporting import ReportQueries
        from retrace.bootstrap import open_store
        from retrace.targets import load_catalogue

        last = end or month_of(datetime.now(REPORTING_TZ))
        period = Period(start or add_months(last, -11), last)
        the_scope = Scope(scope, id_, stream)
        settings = load_settings()

        async def run() -> RecoveryReport:
            store = await open_store(settings)
            try:
                return await ReportQueries(store, load_catalogue()).recovery(the_scope, period)
            finally:
                await store.close()

        result = asyncio.run(run())
        print_report(result)
        body = RecoveryReportResponse.of(result)
        if json_file is not None:
            json_file.parent.mkdir(parents=True, exist_ok=True)
            json_file.write_text(body.model_dump_json(indent=2, by_alias=True) + "\n", encoding="utf-8")
            out.print(f"[green]✓[/green] wrote / 已写入 {json_file}")
        if csv_file is not None:
            csv_file.parent.mkdir(parents=True, exist_ok=True)
            csv_file.write_text(report_csv(result), encoding="utf-8")
            out.print(f"[green]✓[/green] wrote / 已写入 {csv_file}")


def _pct(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f} %"


def _t(grams: int) -> str:
    return f"{grams / 1_000_000:,.3f}"


def _fraction(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value):.6f}"


BASE_UNITS = {
    Quantity.MASS: ("t/yr", 1_000_000),
    Quantity.UNITS: ("units/yr", 1),
    Quantity.MONEY: ("CNY/yr", 1),
}


def _points(gap: float) -> str:
    """A gap in percentage points, with the digits that show which side of the target it is (-0.004, not -0.00)."""
    return f"{gap:+.2f} pt" if abs(gap) >= 0.01 or gap == 0 else f"{gap:+.1g} pt"


def shown(check: TargetCheck) -> tuple[str, str, str]:
    """Measured value, target and gap as a person reads them (quantities: annualised traced amounts and their
    share of the national target)."""
    t = check.target
    target = (
        f"{t.value} {t.unit}" if t.quantity is Quantity.RATE else f"{t.value} {UNIT_ZH[t.unit]} ({t.unit})"
    )
    if check.value is None:
        return "—", target, "—"
    if t.quantity is Quantity.RATE:
        gap = check.gap
        return _pct(check.value), f"{t.value} %", "—" if gap is None else _points(float(gap) * 100)
    unit, per = BASE_UNITS[t.quantity]
    share = float(check.share_of_target or 0) * 100
    return f"{float(check.value) / per:,.3f} {unit}", target, f"{share:.2g} % of target"


def print_report(r: RecoveryReport) -> None:
    from retrace.api.schemas.reports import REPORTED_ELEMENTS

    f = r.figures
    title = f"{r.name_zh} / {r.name} — {r.period.start} … {r.period.end}"
    if r.scope.stream:
        title += f" — {r.scope.stream.value}"
    out.print(f"[bold]Recovery report / 回收利用报告[/bold]: {title}", markup=True)
    out.print(
        f"basis / 口径: {r.basis.value}; targets / 目标数据版本: {r.targets_version}; "
        f"from {r.rows} flow-aggregate rows / 来自 {r.rows} 条物质流汇总",
        markup=False,
    )

    # One column per stream, one row per measure: it fits an 80-column terminal (a row per stream did not).
    columns = [("all / 合计", f), *((s.value, sf) for s, sf in r.streams)]
    balance = Table(title="Mass balance / 物质平衡 (t)", title_justify="left")
    balance.add_column("")
    for name, _ in columns:
        balance.add_column(name, justify="right")
    measures: list[tuple[str, Callable[[Figures], str]]] = [
        ("collected / 回收", lambda x: _t(x.collected.mass_g)),
        ("input / 投入", lambda x: _t(x.input.mass_g)),
        ("treated / 处理", lambda x: _t(x.treated_g)),
        *((f"  {fate} / {FATE_ZH[fate]}", _fate_column(fate)) for fate in FATES),
        ("loss / 损耗", lambda x: _t(x.loss_g)),
        ("reagents, not in rates / 试剂（不计入）", lambda x: _t(x.reagents.mass_g)),
        ("recycling rate / 再生利用率", lambda x: _pct(x.recycling_rate)),
        ("recovery rate / 回收利用率", lambda x: _pct(x.recovery_rate)),
    ]
    for label, value in measures:
        balance.add_row(label, *(value(figures) for _, figures in columns))
    out.print(balance)

    elements = Table(title="Battery materials / 电池材料回收 (kg)", title_justify="left")
    elements.add_column("element / 元素")
    for column in ("input / 投入", "recovered / 回收", "rate / 回收率"):
        elements.add_column(column, justify="right")
    for name in REPORTED_ELEMENTS:
        element = f.elements[name]
        elements.add_row(
            name, f"{element.input_g / 1000:,.1f}", f"{element.recovered_g / 1000:,.1f}", _pct(element.rate)
        )
    out.print(elements)

    checks = Table(
        title="Targets / 目标对比",
        title_justify="left",
        caption=VERIFY_NOTE,
        caption_justify="left",
        expand=True,
    )
    checks.add_column("target / 目标", ratio=3)
    for column in ("measured / 实测", "target / 目标值", "gap / 差距"):
        checks.add_column(column, ratio=1)
    checks.add_column("met / 达标", justify="center")
    for c in r.checks:
        measured, target, gap = shown(c)
        name = f"{c.target.name_zh} / {c.target.name_en} [{c.target.id}]"
        if c.subject_kind != "scope" and c.measured is not None:
            name += f" — {c.subject_name_zh}"
        if c.target.status.value != "ok":
            name += f" ({c.target.status.value})"
        if c.measured is not None:
            shown_value = measured
        elif not c.applicable:
            shown_value = c.note  # it says "not applicable" and why, in both languages
        else:
            shown_value = f"不可测 / {c.note}" if c.note else "—"
        checks.add_row(
            name,
            shown_value,
            target,
            gap,
            "—" if c.met is None else ("✓" if c.met else "✗"),
        )
    out.print(checks)
    if r.epr is not None:
        epr = r.epr
        out.print(
            f"EPR / 生产者责任延伸: placed on market / 投放 {epr.placed_units} units, collected / 回收 "
            f"{epr.collected_units}, properly treated / 规范处理 {epr.properly_treated_units}, "
            f"rate / 比率 {_pct(epr.rate)}{_epr_target(epr)}",
            markup=False,
        )


def _epr_target(epr: EprTotals) -> str:
    """The EPR target the totals are held to and the gap, as the report's checks show them."""
    if epr.target is None:
        return ""
    gap = "—" if epr.gap is None else _points(float(epr.gap) * 100)
    return f"; target / 目标 {epr.target.value} % [{epr.target.id}], gap / 差距 {gap}"


def report_csv(r: RecoveryReport) -> str:
    """One row per figure, stream rate, element and target check (long format, for a spreadsheet)."""
    from retrace.api.schemas.reports import REPORTED_ELEMENTS

    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\n")
    w.writerow(
        ["section", "key", "subject", "value", "unit", "target", "gap", "met", "status", "source", "note"]
    )
    blank = ["", "", "", "", "", ""]
    f = r.figures
    for key, grams in (
        ("collected", f.collected.mass_g),
        ("placed_on_market", f.placed.mass_g),
        ("input", f.input.mass_g),
        ("transfer", f.transfer.mass_g),
        ("pending", f.pending.mass_g),
        ("treated", f.treated_g),
        *((f"final:{fate}", f.fate_g(fate)) for fate in FATES),
        ("loss", f.loss_g),
    ):
        w.writerow(["figure", key, "", f"{grams / 1000:.3f}", "kg", *blank])
    for key, rate in (("recycling_rate", f.recycling_rate), ("recovery_rate", f.recovery_rate)):
        w.writerow(["figure", key, "", _fraction(rate), "fraction", *blank])
    w.writerow(["figure", "units_treated", "", f.units_treated, "units", *blank])
    w.writerow(["figure", "remanufacturing_value", "", f.remanufacturing_value_cny, "CNY", *blank])
    for stream, sf in r.streams:
        w.writerow(["stream", "treated", stream.value, f"{sf.treated_g / 1000:.3f}", "kg", *blank])
        for key, rate in (("recycling_rate", sf.recycling_rate), ("recovery_rate", sf.recovery_rate)):
            w.writerow(["stream", key, stream.value, _fraction(rate), "fraction", *blank])
    for name in REPORTED_ELEMENTS:
        e = f.elements[name]
        note = f"input {e.input_g / 1000:.3f} kg, recovered {e.recovered_g / 1000:.3f} kg"
        w.writerow(["element", name, "", _fraction(e.rate), "fraction", "", "", "", "", "", note])
    for c in r.checks:
        t = c.target
        factor = UNITS[t.unit][1]
        value = "" if c.value is None else f"{float(c.value / factor):.6g}"
        gap = "" if c.gap is None else f"{float(c.gap / factor):.6g}"
        met = "not_applicable" if not c.applicable else "" if c.met is None else str(c.met).lower()
        w.writerow(
            [
                "target",
                t.id,
                c.subject_id or "",
                value,
                t.unit,
                f"{t.value}",
                gap,
                met,
                t.status.value,
                t.source,
                c.note,
            ]
        )
    return buffer.getvalue()
