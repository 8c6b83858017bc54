"""``scripts/bench`` (``python -m retrace.bench``): options, the run, the table and the files.

Exit codes: 0 when every answer agreed, 1 when naive and ours (or two stores) answered differently (the results
are still written, with the differing answers in files), 2 when the benchmark cannot run (the message says why).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from retrace.bench.output import markdown, show, write_json
from retrace.bench.results import STORES, Options
from retrace.bench.run import run
from retrace.bench.stores import BenchError
from retrace.config import Settings
from retrace.domain.errors import TraceError

EXIT_DIFFERENT_ANSWERS = 1
EXIT_CANNOT_RUN = 2

console = Console(highlight=False, soft_wrap=False, emoji=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def parse_stores(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(s.strip().lower() for s in text.split(",") if s.strip()))
    unknown = [s for s in chosen if s not in STORES]
    if unknown or not chosen:
        raise typer.BadParameter(f"choose from {', '.join(STORES)} (comma-separated), not {text!r}")
    return chosen


@app.command()
def bench(
    items: Annotated[
        int, typer.Option(min=1, help="Top-level items to generate (each brings ~18 objects) / 顶层物品数")
    ] = 2000,
    stores: Annotated[str, typer.Option(help="Stores to benchmark, comma-separated / 数据库")] = ",".join(
        STORES
    ),
    out: Annotated[Path, typer.Option(help="Write the results as JSON here / 结果 JSON 文件")] = Path(
        ".cache/bench/results.json"
    ),
    markdown_file: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the results as Markdown / 同时输出 Markdown")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, max=999, help="Data set seed / 随机种子")] = 42,
    repeat: Annotated[int, typer.Option(min=1, help="Timed runs per question and approach / 重复次数")] = 10,
    warmup: Annotated[int, typer.Option(min=0, help="Untimed runs first / 预热次数")] = 2,
    budget: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="Seconds per question and approach after which repetitions stop / 每项计时预算（秒）",
        ),
    ] = 20.0,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Events per capture batch / 批量")] = 500,
    workdir: Annotated[
        Path, typer.Option(help="Folder for the SQLite file (replaced each run) / 工作目录")
    ] = Path(".cache/bench"),
    neo4j_uri: Annotated[
        str | None, typer.Option(help="Neo4j to load (default TRACE_NEO4J_URI) / Neo4j 地址")
    ] = None,
    wipe_neo4j: Annotated[
        bool,
        typer.Option("--wipe-neo4j", help="Erase the Neo4j database first if it holds data / 清空 Neo4j"),
    ] = False,
    neo4j_data_dir: Annotated[
        Path | None, typer.Option(help="Neo4j's data folder, to report its size on disk / Neo4j 数据目录")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bars / 不显示进度条")] = False,
) -> None:
    """Load synthetic data into each store, time the questions, compare with naive approaches / 性能基准测试。"""
    settings = Settings()
    options = Options(
        items=items,
        seed=seed,
        stores=parse_stores(stores),
        repeat=repeat,
        warmup=warmup,
        budget_s=budget,
        batch=batch,
        workdir=workdir,
        neo4j_uri=neo4j_uri or settings.neo4j_uri,
        neo4j_auth=settings.neo4j_auth,
        neo4j_database=settings.neo4j_database,
        wipe_neo4j=wipe_neo4j,
        neo4j_data_dir=neo4j_data_dir,
    )
    if not console.is_terminal:
        console.width = max(console.width, 200)  # a log or a file: keep each row of the table on one line
    try:
        results = asyncio.run(run(options, console, quiet))
    except (BenchError, TraceError) as e:
        errors.print(f"bench: {e}", markup=False)
        raise typer.Exit(EXIT_CANNOT_RUN) from None
    except KeyboardInterrupt:
        errors.print("bench: interrupted / 已中断")
        raise typer.Exit(130) from None
    show(results, console)
    write_json(results, out)
    console.print(f"Results: {out}")
    if markdown_file is not None:
        markdown_file.parent.mkdir(parents=True, exist_ok=True)
        markdown_file.write_text(markdown(results), encoding="utf-8")
        console.print(f"Markdown: {markdown_file}")
    if not results.all_answers_agree:
        raise typer.Exit(EXIT_DIFFERENT_ANSWERS)


def main() -> None:
    app(prog_name="bench", args=sys.argv[1:])
