"""``trace``: the operator's command line.

trace demo            the whole product on the embedded store, with demo data, in one command
trace serve           the API on the store the settings name (TRACE_STORE …)
trace seed            load a synthetic data set of N items, with a progress bar
trace migrate         apply the Neo4j schema migrations
trace report          recovery rates against the targets, as tables, CSV or JSON
trace export-openapi  write docs/openapi.json
trace export-graphql  write schema.graphql
trace labels          print QR labels (A4 PDF sheets, PNG, SVG) for items
trace tls-cert        make a self-signed certificate to serve the scanner over https on the LAN
trace sync …          the device's offline queue: status, push, dead letters (retrace.scanners.cli)
trace rfid …          the RFID bridge for LLRP readers, a reader emulator, EPC decoding (retrace.scanners.cli)

Start-up stays fast on a gateway (``trace sync``, ``trace rfid``, ``--help``): this module and the modules it
imports load no web framework, store driver, label renderer, pydantic or ``cryptography``; a command imports what
it needs when it runs (tests/cli/test_startup.py checks it, scripts/bench-cli-startup measures it).
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

import typer

from retrace.cli import report as report_command
from retrace.cli.common import check_port_free, err, load_settings, out, public_url, reported
from retrace.cli.labels import EXAMPLES as LABEL_EXAMPLES
from retrace.cli.labels import labels as labels_command
from retrace.cli.tls import (
    TLS_CERT_EXAMPLES,
    TlsCertOption,
    TlsKeyOption,
    print_scanner_links,
    tls_cert,
    tls_from,
)
from retrace.scanners.cli import rfid_app, sync_app

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from rich.progress import Progress

    from retrace.config import Settings
    from retrace.domain.events import Event

app = typer.Typer(
    name="trace",
    help="Traceability of recycled resources / 再生资源追溯平台",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(sync_app, name="sync")
app.add_typer(rfid_app, name="rfid")

DEFAULT_OPENAPI = Path("docs/openapi.json")
DEFAULT_GRAPHQL_SCHEMA = Path("schema.graphql")

HostOption = Annotated[str, typer.Option(help="Address to listen on / 监听地址")]
PortOption = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on / 监听端口")]


def run() -> None:
    """Console entry point of ``trace``."""
    app()


@app.callback()
def _quiet_driver() -> None:
    # The Neo4j driver logs each retry of a failed connection as a warning; the command reports the outcome.
    logging.getLogger("neo4j").setLevel(logging.ERROR)


# -- demo ---------------------------------------------------------------------------------------------------------


@app.command()
def demo(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the embedded store (default: the folder of TRACE_SQLITE_PATH) / 数据目录"
        ),
    ] = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load the data, do not serve / 只加载数据")
    ] = False,
    tls_cert_file: TlsCertOption = None,
    tls_key_file: TlsKeyOption = None,
) -> None:
    """Run the product with demo data on the embedded store (nothing to install) / 一键运行演示。"""
    with reported("demo", "演示"):
        from retrace.bootstrap import Services, open_store
        from retrace.demo.dataset import demo_events, demo_notes, demo_registration
        from retrace.demo.loader import batched, load

        base = load_settings()
        folder = data_dir if data_dir is not None else base.sqlite_path.parent
        # The demo always uses the embedded store, whatever TRACE_STORE says: it must work with nothing installed.
        settings = load_settings(store="sqlite", sqlite_path=folder / "trace.db")
        tls = tls_from(settings, tls_cert_file, tls_key_file)
        if not no_serve:
            check_port_free(host, port)
        events = demo_events()

        async def prepare() -> tuple[bool, dict[str, int]]:
            store = await open_store(settings)
            try:
                # Batches are stored in order, each whole or not at all: if the last event is there, all are.
                if events and await store.get_events([events[-1].event_id]):
                    return False, await store.counts()
                out.print("Loading the demo data … / 正在加载演示数据 …")
                capture = Services.build(settings, store).capture
                await load(store, demo_registration(), batched(events, 500), capture=capture)
                return True, await store.counts()
            finally:
                await store.close()

        loaded, counts = asyncio.run(prepare())
        if loaded:
            out.print(f"[green]✓[/green] Demo data loaded / 演示数据已加载: {_counted(counts)}")
        else:
            out.print(f"[green]✓[/green] Demo data already present / 演示数据已存在: {_counted(counts)}")
        out.print(f"  Store / 数据库: {settings.sqlite_path.resolve()}", markup=False)
        # curl must trust a self-signed certificate to fetch the tour's links as printed.
        curl = "curl -s" if tls is None else f"curl -s --cacert {shlex.quote(str(tls.cert))}"
        _print_tour(public_url(host, port, "https" if tls else "http"), demo_notes().showcase, curl)
        if no_serve:
            out.print(f"  Serve it with / 启动服务: trace demo --data-dir {folder}", markup=False)
            return
        print_scanner_links(host, port, tls)
        out.print("  Press Ctrl+C to stop / 按 Ctrl+C 停止", markup=False)
        import uvicorn

        from retrace.api.app import create_app

        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level="info",
            ssl_certfile=tls.cert if tls else None,
            ssl_keyfile=tls.key if tls else None,
        )


def _print_tour(url: str, showcase: dict[str, str], curl: str = "curl -s") -> None:
    """Where to look first, with identifiers from the demo story (each `curl` line works as printed)."""

    def item(key: str, suffix: str = "") -> str:
        return f"{url}/api/v1/items/{quote(showcase[key], safe=':/')}{suffix}"

    tour = [
        (
            "A TV found by its QR code (GS1 Digital Link)",
            "按二维码（GS1 数字链接）查询电视机",
            item("tv_digital_link"),
        ),
        (
            "A refrigerator's history, by its RFID tag",
            "按 RFID 标签查询冰箱履历",
            item("fridge_rfid_sgtin96", "/history"),
        ),
        (
            "Where every part of an electric car went",
            "电动汽车各部件的去向",
            item("vehicle_vin", "/lineage?direction=downstream&depth=10"),
        ),
        (
            "Where a lithium carbonate lot came from",
            "碳酸锂批次的来源",
            item("vehicle_lithium_carbonate_lot", "/lineage?direction=upstream&depth=10"),
        ),
        ("Who held the car's battery pack when", "电池包的监管链", item("vehicle_pack", "/custody")),
    ]
    out.print()
    out.print(f"  API docs / 接口文档:  {url}/docs", markup=False)
    out.print(f"  Health / 健康检查:    {url}/healthz", markup=False)
    out.print(f"  Dashboard / 看板:     {url}/dashboard/?from=2025-01&to=2026-09", markup=False)
    out.print(f"  GraphQL IDE / 接口开发工具: {url}/graphql", markup=False)
    out.print("  Try / 试一试:", markup=False)
    for en, zh, link in tour:
        out.print(f"    # {en} / {zh}", markup=False)
        out.print(f"    {curl} '{link}'", markup=False)
    out.print()


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts.items())


# -- serve --------------------------------------------------------------------------------------------------------


@app.command()
def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes / 工作进程数")] = 1,
    tls_cert_file: TlsCertOption = None,
    tls_key_file: TlsKeyOption = None,
) -> None:
    """Serve the API on the store the settings name (TRACE_STORE, TRACE_SQLITE_PATH, TRACE_NEO4J_*) / 启动接口服务。"""
    with reported("serve", "启动服务"):
        settings = load_settings()
        tls = tls_from(settings, tls_cert_file, tls_key_file)
        asyncio.run(_check_store(settings))
        check_port_free(host, port)
        where = settings.sqlite_path.resolve() if settings.store == "sqlite" else settings.neo4j_uri
        url = public_url(host, port, "https" if tls else "http")
        out.print(
            f"Serving / 服务地址: {url}  (docs / 文档: {url}/docs; store / 数据库: {settings.store} {where})",
            markup=False,
        )
        print_scanner_links(host, port, tls)
        import uvicorn

        # Each worker builds its own app (and store) from the same environment: the API tier is stateless.
        uvicorn.run(
            "retrace.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            ssl_certfile=tls.cert if tls else None,
            ssl_keyfile=tls.key if tls else None,
        )


async def _check_store(settings: Settings) -> None:
    """Open, ping and close the store, so a wrong setting fails here with advice, not in a worker's log."""
    from retrace.bootstrap import open_store

    store = await open_store(settings)
    try:
        await store.ping()
    finally:
        await store.close()


# -- seed ---------------------------------------------------------------------------------------------------------


@app.command()
def seed(
    items: Annotated[int, typer.Option(min=1, help="How many items to generate / 生成物品数量")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data / 随机种子")] = 42,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Events per capture batch / 每批事件数")] = 500,
) -> None:
    """Load a synthetic data set into the store the settings name / 生成并加载合成数据。"""
    with reported("seed", "生成数据"):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from retrace.bootstrap import Services, open_store
        from retrace.demo.loader import batched, load
        from retrace.demo.synthetic import synthetic, synthetic_cohorts

        settings = load_settings()
        if batch > settings.max_batch:
            raise typer.BadParameter(f"at most TRACE_MAX_BATCH={settings.max_batch}", param_hint="--batch")
        registration, _ = synthetic(items, seed, batch)  # checks the arguments; the batches are made below
        counter = _ItemsStored()
        batches = batched(counter.events(synthetic_cohorts(items, seed)), batch)

        async def go(progress: Progress) -> dict[str, int]:
            # Counted in items, whose total is known before the first event is made (the events' is not).
            task = progress.add_task("Loading / 加载", total=items)
            store = await open_store(settings)
            try:
                capture = Services.build(settings, store).capture
                report = await load(
                    store,
                    registration,
                    batches,
                    lambda done: progress.update(task, completed=counter.items_after(done)),
                    capture=capture,
                )
                progress.update(task, completed=items)
                out.print(
                    f"{report.created} events recorded, {report.replayed} already there, in {report.batches} "
                    f"batches, {report.events_per_s:,.0f} events/s / 新增 {report.created} 个事件，"
                    f"{report.replayed} 个已存在",
                    markup=False,
                )
                return await store.counts()
            finally:
                await store.close()

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TextColumn("items / 物品"),
            TimeElapsedColumn(),
            TextColumn("left / 剩余"),
            TimeRemainingColumn(),
            console=out,
        ) as progress:
            counts = asyncio.run(go(progress))
        out.print(f"[green]✓[/green] Seeded / 已加载: {_counted(counts)}")


class _ItemsStored:
    """How many of the top-level items the events stored so far amount to.

    ``events`` passes the events of each cohort on and notes where the cohort starts and ends; ``items_after``
    turns a count of events stored into items, the cohort being stored counted in proportion to its events done.
    Only a batch or so of events is generated ahead of the store, so the cohort asked about is always noted."""

    def __init__(self) -> None:
        self._cohorts: list[
            tuple[int, int, int, int]
        ] = []  # (events before, its events, items before, its items)
        self._events = 0
        self._items = 0

    def events(self, cohorts: Iterable[tuple[int, list[Event]]]) -> Iterator[Event]:
        for size, events in cohorts:
            self._cohorts.append((self._events, len(events), self._items, size))
            self._events += len(events)
            self._items += size
            yield from events

    def items_after(self, events_stored: int) -> int:
        while len(self._cohorts) > 1 and self._cohorts[1][0] <= events_stored:
            self._cohorts.pop(0)  # cohorts stored whole are not asked about again
        if not self._cohorts:
            return 0
        first_event, count, items_before, size = self._cohorts[0]
        share = min(max(events_stored - first_event, 0), count) / count if count else 1.0
        return items_before + int(size * share)


# -- labels -------------------------------------------------------------------------------------------------------

app.command("labels", epilog=LABEL_EXAMPLES)(labels_command)


# -- tls-cert -----------------------------------------------------------------------------------------------------

app.command("tls-cert", epilog=TLS_CERT_EXAMPLES)(tls_cert)


# -- migrate ------------------------------------------------------------------------------------------------------


@app.command()
def migrate() -> None:
    """Apply the graph schema migrations (Neo4j) / 执行数据库结构迁移。"""
    with reported("migrate", "迁移"):
        from retrace.bootstrap import open_store

        settings = load_settings()
        if settings.store == "sqlite":

            async def touch() -> None:
                store = await open_store(settings)
                await store.close()

            asyncio.run(touch())
            out.print(
                f"The embedded store creates its schema when it is opened; {settings.sqlite_path.resolve()} is "
                "ready, nothing to migrate.\n嵌入式数据库在打开时自动建立结构，已就绪，无需迁移。",
                markup=False,
            )
            return
        applied = asyncio.run(_migrate_neo4j(settings))
        if applied:
            for version in applied:
                out.print(f"[green]✓[/green] applied / 已执行 {version}")
            out.print(
                f"{len(applied)} migration(s) applied to {settings.neo4j_uri} / 已执行 {len(applied)} 个迁移",
                markup=False,
            )
        else:
            out.print(
                f"{settings.neo4j_uri} is up to date; nothing to apply / 数据库结构已是最新", markup=False
            )


async def _migrate_neo4j(settings: Settings) -> list[str]:
    from retrace.adapters.neo4j.store import Neo4jStore
    from retrace.app.ports import GraphStore
    from retrace.bootstrap import open_store

    store: GraphStore = await open_store(settings)
    try:
        assert isinstance(store, Neo4jStore)
        return await store.migrate()
    finally:
        await store.close()


# -- report -------------------------------------------------------------------------------------------------------

app.command("report")(report_command.report)


# -- export-openapi -----------------------------------------------------------------------------------------------


@app.command("export-openapi")
def export_openapi(
    output: Annotated[
        Path, typer.Option(help="Where to write it; - for standard output / 输出文件")
    ] = DEFAULT_OPENAPI,
    check: Annotated[
        bool, typer.Option("--check", help="Only check that the file is up to date / 只检查是否最新")
    ] = False,
) -> None:
    """Write the API's OpenAPI document (committed as docs/openapi.json) / 导出 OpenAPI 文档。"""
    with reported("export-openapi", "导出 OpenAPI"):
        from retrace.api.app import openapi_json

        document = openapi_json()
        if str(output) == "-":
            typer.echo(document, nl=False)
            return
        if check:
            current = output.read_text(encoding="utf-8") if output.exists() else None
            if current != document:
                err.print(f"[red]✗ {output} is out of date: run `trace export-openapi` / 文档已过期[/red]")
                raise typer.Exit(1)
            out.print(f"[green]✓[/green] {output} is up to date / 文档已是最新")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(document, encoding="utf-8")
        out.print(f"[green]✓[/green] wrote / 已写入 {output}")


# -- export-graphql -----------------------------------------------------------------------------------------------


@app.command("export-graphql")
def export_graphql(
    output: Annotated[
        Path, typer.Option(help="Where to write it; - for standard output / 输出文件")
    ] = DEFAULT_GRAPHQL_SCHEMA,
    check: Annotated[
        bool, typer.Option("--check", help="Only check that the file is up to date / 只检查是否最新")
    ] = False,
) -> None:
    """Write the GraphQL schema (SDL, committed as schema.graphql) / 导出 GraphQL 模式。"""
    from retrace.api.graphql.schema import schema_sdl

    with reported("export-graphql", "导出 GraphQL 模式"):
        document = schema_sdl()
        if str(output) == "-":
            typer.echo(document, nl=False)
            return
        if check:
            current = output.read_text(encoding="utf-8") if output.exists() else None
            if current != document:
                err.print(
                    f"[red]✗ {output} is out of date: run `trace export-graphql` / 模式文件已过期[/red]"
                )
                raise typer.Exit(1)
            out.print(f"[green]✓[/green] {output} is up to date / 模式文件已是最新")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(document, encoding="utf-8")
        out.print(f"[green]✓[/green] wrote / 已写入 {output}")
