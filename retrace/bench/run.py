"""One benchmark run: survey the data set, then per store load it, check the answers and time the questions.

Stores are opened first (so a Neo4j that is not running stops the run before minutes of loading), then benchmarked
one after the other, never at the same time: each has the machine to itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from retrace.api.app import create_app
from retrace.bench.answers import Answer, canonical_text
from retrace.bench.cases import Case, Subject, cases, find_chain
from retrace.bench.machine import machine_facts
from retrace.bench.results import LoadResult, Measurement, Options, Results, StoreResult
from retrace.bench.stores import OpenedStore, open_neo4j, open_sqlite
from retrace.bench.targets import Targets, survey
from retrace.bench.timing import measure
from retrace.config import Settings
from retrace.demo.loader import load
from retrace.demo.synthetic import synthetic
from retrace.targets import load_catalogue


def _progress(console: Console, quiet: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )


@contextmanager
def _bar(console: Console, quiet: bool, description: str, total: int | None) -> Iterator[Any]:
    with _progress(console, quiet) as progress:
        task = progress.add_task(description, total=total, rate="")
        started = time.perf_counter()

        def advance(done: int, unit: str | None = "events") -> None:
            elapsed = time.perf_counter() - started
            rate = f"{done / elapsed:,.0f} {unit}/s" if elapsed > 0 and unit else ""
            progress.update(task, completed=done, rate=rate)

        yield advance


async def open_stores(options: Options) -> list[OpenedStore]:
    opened: list[OpenedStore] = []
    try:
        for kind in options.stores:
            if kind == "sqlite":
                opened.append(await open_sqlite(options.workdir))
            else:
                opened.append(
                    await open_neo4j(
                        options.neo4j_uri,
                        options.neo4j_auth,
                        options.neo4j_database,
                        wipe=options.wipe_neo4j,
                        data_dir=options.neo4j_data_dir,
                    )
                )
    except BaseException:
        for store in opened:
            await store.close()
        raise
    return opened


async def run(options: Options, console: Console, quiet: bool = False) -> Results:
    started = time.perf_counter()
    results = Results(options, Targets(options.items), machine_facts(), datetime.now(UTC))
    opened = await open_stores(options)
    try:
        registration, batches = synthetic(options.items, options.seed, options.batch)
        with _bar(console, quiet, "Generating (counting events) / 生成数据", None) as advance:
            results.targets = survey(options.items, registration, batches, options.seed, advance)
        for store in opened:
            results.stores.append(await _bench_store(store, options, results, console, quiet))
    finally:
        for store in opened:
            await store.close()
    # Sizes after closing: SQLite folds its write-ahead log into the file when the last connection closes.
    for store, result in zip(opened, results.stores, strict=False):
        result.load.disk_after = store.disk()
    results.elapsed_s = time.perf_counter() - started
    return results


async def _bench_store(
    opened: OpenedStore, options: Options, results: Results, console: Console, quiet: bool
) -> StoreResult:
    started = time.perf_counter()
    store, targets = opened.store, results.targets
    registration, batches = synthetic(options.items, options.seed, options.batch)
    disk_before = opened.disk()
    with _bar(console, quiet, f"Loading {opened.kind} / 载入", targets.events) as advance:
        report = await load(store, registration, batches, advance)
    counts = await store.counts()
    loaded = LoadResult(
        events=report.events,
        created=report.created,
        objects=counts["objects"],
        flow_records=await opened.scans.flow_record_count(),
        elapsed_s=report.elapsed_s,
        disk_before=disk_before,
    )
    app = create_app(Settings(), store=store)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench.test"
    ) as client:
        subject = Subject(opened.kind, store, opened.scans, targets, load_catalogue(), client)
        chain = await find_chain(subject)
        result = StoreResult(opened.kind, opened.version, opened.where, loaded, chain)
        questions = cases(subject, chain)
        with _bar(console, quiet, f"Measuring {opened.kind} / 计时", len(questions)) as advance:
            for done, case in enumerate(questions, 1):
                result.measurements.append(await _measure(case, options, opened.kind, results))
                advance(done, None)
    result.elapsed_s = time.perf_counter() - started
    return result


async def _answers(run: Any, case: Case) -> tuple[Answer, str, float]:
    """The answers to every input, their canonical text, and the seconds it took."""
    values, size = [], 0
    started = time.perf_counter()
    for i in range(case.inputs):
        value, n = case.answer(await run(i))
        values.append(value)
        size += n
    elapsed = time.perf_counter() - started
    return Answer.of(values, size), canonical_text(values), elapsed


async def _measure(case: Case, options: Options, kind: str, results: Results) -> Measurement:
    """Check the answers first (this also warms caches), then time ours and the naive approach."""
    started = time.perf_counter()
    answer, text, ours_s = await _answers(case.ours, case)
    naive_answer, naive_s = None, 0.0
    if case.naive is not None:
        naive_answer, naive_text, naive_s = await _answers(case.naive, case)
        if naive_text != text:
            results.mismatches += _write_mismatch(options.workdir, kind, case.name, text, naive_text)
    o = options
    ours = await measure(case.ours, warmup=o.warmup, repeat=o.repeat, budget_s=o.budget_s, warm_s=ours_s)
    naive = None
    if case.naive is not None:
        naive = await measure(
            case.naive, warmup=o.warmup, repeat=o.repeat, budget_s=o.budget_s, warm_s=naive_s
        )
    return Measurement(
        case.name,
        case.question,
        case.question_zh,
        ours,
        answer,
        naive,
        naive_answer,
        case.naive_means,
        time.perf_counter() - started,
    )


def _write_mismatch(workdir: Path, kind: str, name: str, ours: str, naive: str) -> list[str]:
    """Both answers to files, so a difference can be read (the run still finishes and reports it)."""
    workdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, text in (("ours", ours), ("naive", naive)):
        path = workdir / f"mismatch-{kind}-{name}-{label}.json"
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths
