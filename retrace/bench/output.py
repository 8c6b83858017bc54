"""The results as people read them (a rich table, Markdown) and as programs do (JSON)."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from retrace.bench.results import Measurement, Results, StoreResult


def _ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:,.2f} s"
    if value >= 10:
        return f"{value:,.0f} ms"
    return f"{value:.2f} ms"


def _ratio(m: Measurement) -> str:
    if m.ratio is None:
        return ""
    mark = "" if m.same_answer else " ≠"  # a differing answer is flagged next to its ratio
    return f"{m.ratio:,.1f}×{mark}"


def _size(n: int | None) -> str:
    if n is None:
        return "—"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TiB"


def _load_line(s: StoreResult) -> str:
    ld = s.load
    return (
        f"{s.kind} ({s.version}): {ld.events:,} events, {ld.objects:,} objects, {ld.flow_records:,} flow records "
        f"loaded in {ld.elapsed_s:,.1f} s — {ld.events_per_s:,.0f} events/s, {ld.objects_per_s:,.0f} objects/s; "
        f"on disk {_size(ld.disk_bytes)} (grew {_size(ld.disk_growth_bytes)})"
    )


def table(results: Results) -> Table:
    t = Table(
        title=f"trace benchmark: {results.options.items:,} items (seed {results.options.seed}) / 基准测试",
        caption="median and p95 of the timed runs; × = naive median / ours (same store, same data)",
    )
    t.add_column("question / 问题", no_wrap=True)
    for s in results.stores:
        t.add_column(f"{s.kind}\nours median", justify="right")
        t.add_column(f"{s.kind}\nours p95", justify="right")
        t.add_column(f"{s.kind}\nnaive median", justify="right")
        t.add_column(f"{s.kind}\n×", justify="right")
    if not results.stores:
        return t
    for i, first in enumerate(results.stores[0].measurements):
        row = [f"{first.name} [dim]{first.question}[/dim]"]
        for s in results.stores:
            m = s.measurements[i]
            row += [
                _ms(m.ours.median_ms),
                _ms(m.ours.p95_ms),
                _ms(m.naive.median_ms) if m.naive else "",
                _ratio(m),
            ]
        t.add_row(*row)
    return t


def show(results: Results, console: Console) -> None:
    for s in results.stores:
        console.print(_load_line(s))
    console.print(table(results))
    agreement = results.agreement()
    if agreement and not all(agreement.values()):
        differ = ", ".join(n for n, ok in agreement.items() if not ok)
        console.print(f"[red]The stores gave different answers to: {differ} / 两个数据库的答案不一致[/red]")
    if results.mismatches:
        console.print(
            "[red]Naive and ours answered differently; both answers are in: "
            + ", ".join(results.mismatches)
            + " / 两种方法结果不一致[/red]"
        )
    console.print(f"Total time {results.elapsed_s:,.1f} s / 总耗时")


def write_json(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def markdown(results: Results) -> str:
    """The results as a Markdown section (what docs/benchmark.md shows)."""
    o, m = results.options, results.machine
    memory = m.get("memory_bytes")
    lines = [
        f"Run of {results.started_at:%Y-%m-%d %H:%M} UTC: {o.items:,} items (seed {o.seed}), "
        f"{results.targets.events:,} events; {o.warmup} warm-up and up to {o.repeat} timed runs per question "
        f"(budget {o.budget_s:g} s); total {results.elapsed_s:,.0f} s.",
        "",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores, "
        f"{_size(memory) if isinstance(memory, int) else '?'} RAM, {m.get('os')}, {m.get('python')}; "
        f"load average at the start {m.get('load_average')}.",
        "",
        "| store | events | objects | flow records | load time | events/s | objects/s | on disk | growth |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results.stores:
        ld = s.load
        lines.append(
            f"| {s.kind} ({s.version}) | {ld.events:,} | {ld.objects:,} | {ld.flow_records:,} | "
            f"{ld.elapsed_s:,.1f} s | {ld.events_per_s:,.0f} | {ld.objects_per_s:,.0f} | {_size(ld.disk_bytes)} | "
            f"{_size(ld.disk_growth_bytes)} |"
        )
    lines.append("")
    header = "| question |"
    rule = "|---|"
    for s in results.stores:
        header += f" {s.kind} median | {s.kind} p95 | {s.kind} naive | {s.kind} × |"
        rule += "---:|---:|---:|---:|"
    lines += [header, rule]
    if results.stores:
        for i, first in enumerate(results.stores[0].measurements):
            row = f"| `{first.name}` {first.question} |"
            for s in results.stores:
                x = s.measurements[i]
                naive = _ms(x.naive.median_ms) if x.naive else ""
                row += f" {_ms(x.ours.median_ms)} | {_ms(x.ours.p95_ms)} | {naive} | {_ratio(x)} |"
            lines.append(row)
    lines.append("")
    verdict = "yes" if results.all_answers_agree else "NO"
    lines.append(f"Same answers (naive = ours on each store, and across stores): {verdict}.")
    return "\n".join(lines) + "\n"
