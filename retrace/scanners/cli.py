"""``trace sync …`` and ``trace rfid …``: the device side of the platform, from a terminal.

trace sync status      what the device's queue holds: pending, dead letters, unreadable tags, last push
trace sync push        send everything queued now (with retries), and say what happened
trace sync enqueue     queue events from a JSON file (ids are made here, once)
trace sync dead        list the events the server refused for good, with its reasons
trace sync requeue     put dead letters back in the queue once their cause is fixed
trace rfid bridge      read tags from an LLRP reader and submit receive events through the queue
trace rfid emulate     an LLRP reader emulator that plays tag reads from a file (to try the bridge)
trace rfid decode      decode EPC hex as read from tags (SGTIN-96/198, SSCC-96, GRAI-96/170)

Settings: ``--queue`` (``TRACE_SYNC_QUEUE``, default ``~/.local/share/trace/outbox.db``) and ``--server``
(``TRACE_SYNC_SERVER``, default ``http://127.0.0.1:8000``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from retrace.domain.errors import TraceError
from retrace.scanners.outbox import Disposition, OutboxQueue

if TYPE_CHECKING:  # loaded by the commands that use them: a gateway runs `trace sync …` often (fast start-up)
    from rich.progress import Progress

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

sync_app = typer.Typer(
    name="sync", help="The device's offline queue and its sync / 设备离线队列与同步", no_args_is_help=True
)
rfid_app = typer.Typer(name="rfid", help="RFID readers (LLRP) / RFID 读写器（LLRP）", no_args_is_help=True)


def _default_queue() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "trace" / "outbox.db"


QueueOption = Annotated[
    Path | None,
    typer.Option(
        "--queue",
        envvar="TRACE_SYNC_QUEUE",
        help="The device's queue file (default ~/.local/share/trace/outbox.db) / 设备队列文件",
        show_default=False,
    ),
]
ServerOption = Annotated[
    str,
    typer.Option("--server", envvar="TRACE_SYNC_SERVER", help="The platform's base URL / 平台地址"),
]
DEFAULT_SERVER = "http://127.0.0.1:8000"


@contextmanager
def _reported(what: str, what_zh: str) -> Iterator[None]:
    """A failure becomes a short message in English and Chinese and exit code 1, never a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except KeyboardInterrupt:
        err.print(f"[yellow]{what}: interrupted / 已中断[/yellow]")
        raise typer.Exit(130) from None
    except TraceError as e:
        err.print(f"[red]✗ {what} failed / {what_zh}失败[/red] [{e.code}]")
        err.print(f"  {e.message}", markup=False)
        if e.message_zh != e.message:
            err.print(f"  {e.message_zh}", markup=False)
        raise typer.Exit(1) from None
    except (OSError, ValueError) as e:
        err.print(f"[red]✗ {what} failed / {what_zh}失败[/red]")
        err.print(f"  {e}", markup=False)
        raise typer.Exit(1) from None


def _open(queue: Path | None) -> OutboxQueue:
    return OutboxQueue(queue if queue is not None else _default_queue())


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "never / 从未"
    seconds = int((datetime.now(UTC) - moment).total_seconds())
    span = (
        f"{seconds}s" if seconds < 120 else f"{seconds // 60}min" if seconds < 7200 else f"{seconds // 3600}h"
    )
    return f"{moment.isoformat(timespec='seconds')} ({span} ago)"


# -- sync ---------------------------------------------------------------------------------------------------------


@sync_app.command("status")
def sync_status(
    queue: QueueOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")] = False,
) -> None:
    """What the device's queue holds / 查看队列状态。"""
    with _reported("sync status", "查看队列"), _open(queue) as opened:
        status = opened.status()
        unreadable = opened.unreadable_tags(5)
    if as_json:
        data = {k: (str(v) if isinstance(v, Path | datetime) else v) for k, v in vars(status).items()}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    out.print(f"Queue / 队列: {status.path.resolve()}  (device / 设备 {status.device_id})", markup=False)
    out.print(f"  Waiting to be sent / 待发送:      {status.pending}", markup=False)
    if status.pending:
        out.print(f"    oldest queued / 最早入队:       {_ago(status.oldest_pending_at)}", markup=False)
        out.print(f"    most delivery attempts / 最多尝试: {status.max_attempts}", markup=False)
    out.print(
        f"  Acknowledged / 已确认:            {status.created} created / 新增, {status.replayed} replayed / 重放",
        markup=False,
    )
    out.print(f"  Refused for good / 被拒绝:        {status.dead}  (trace sync dead)", markup=False)
    out.print(f"  Set aside as ignored / 已忽略:    {status.ignored}", markup=False)
    out.print(f"  Unreadable tags / 无法解码的标签: {status.unreadable_tags}", markup=False)
    for tag in unreadable:
        out.print(f"    {tag.seen_at.isoformat(timespec='seconds')}  {tag.epc}  {tag.reason}", markup=False)
    out.print(f"  Last push / 上次推送:             {_ago(status.last_push_at)}", markup=False)
    out.print(f"  Last success / 上次成功:          {_ago(status.last_success_at)}", markup=False)
    if status.last_error:
        out.print(f"  [yellow]Last error / 上次错误: {status.last_error}[/yellow]")


@sync_app.command("push")
def sync_push(
    queue: QueueOption = None,
    server: ServerOption = DEFAULT_SERVER,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Events per request / 每批事件数")] = 100,
    attempts: Annotated[
        int, typer.Option(min=1, help="Failed deliveries in a row before giving up for now / 连续失败上限")
    ] = 8,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for an answer / 超时秒数")] = 30.0,
) -> None:
    """Send everything queued now / 立即推送队列中的事件。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from retrace.scanners.sync import SyncClient  # httpx is needed only to push

    with _reported("sync push", "推送"), _open(queue) as opened:
        total = opened.status().pending

        async def go(progress: Progress) -> Any:
            task = progress.add_task("Sending / 发送", total=total)
            async with SyncClient(
                opened, server, batch_size=batch, max_attempts=attempts, timeout=timeout
            ) as sync:

                def advance(report: Any) -> None:
                    progress.update(task, completed=report.delivered + report.dead + report.ignored)

                return await sync.push(advance)

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("events / 事件"),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        ) as progress:
            report = asyncio.run(go(progress))
    out.print(
        f"{report.created} created / 新增, {report.replayed} already there / 已存在, {report.dead} refused / 被拒绝, "
        f"{report.ignored} ignored / 已忽略, {report.pending} still queued / 仍在队列",
        markup=False,
    )
    if report.dead:
        out.print("  See why / 查看原因: trace sync dead", markup=False)
    if report.stopped:
        err.print(f"[yellow]Paused / 已暂停: {report.stopped}[/yellow]")
        err.print("  The events stay queued; push again later / 事件仍在队列中，请稍后再推送。")
        raise typer.Exit(1)


@sync_app.command("enqueue")
def sync_enqueue(
    file: Annotated[
        str, typer.Argument(help='JSON file (- for standard input): an event, a list, or {"events": […]}')
    ],
    queue: QueueOption = None,
) -> None:
    """Queue events from a JSON file; each gets its id here, once / 从 JSON 文件入队。"""
    with _reported("sync enqueue", "入队"):
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        data = json.loads(text)
        events = data["events"] if isinstance(data, dict) and "events" in data else data
        events = [events] if isinstance(events, dict) else events
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise ValueError('expected an event object, a list of them, or {"events": [...]}')
        with _open(queue) as opened:
            ids = opened.enqueue_many(events)
    for event_id in ids:
        typer.echo(event_id)
    err.print(f"{len(ids)} event(s) queued / 已入队; send them with / 推送: trace sync push")


@sync_app.command("dead")
def sync_dead(
    queue: QueueOption = None,
    limit: Annotated[int, typer.Option(min=1, help="How many / 条数")] = 50,
    ignored: Annotated[
        bool, typer.Option("--ignored", help="The ignored ones instead / 显示已忽略的")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")] = False,
) -> None:
    """Events the server refused for good, with its reasons / 被拒绝的事件及原因。"""
    with _reported("sync dead", "查看被拒绝事件"), _open(queue) as opened:
        letters = opened.dead_letters(limit, Disposition.IGNORED if ignored else Disposition.DEAD)
    if as_json:
        rows = [
            {
                "event_id": d.event_id,
                "failed_at": d.failed_at.isoformat(),
                "code": d.refusal.code,
                "message": d.refusal.message,
                "message_zh": d.refusal.message_zh,
                "field": d.refusal.field,
                "event": d.body,
            }
            for d in letters
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not letters:
        out.print("Nothing refused / 没有被拒绝的事件", markup=False)
        return
    for d in letters:
        where = f" ({d.refusal.field})" if d.refusal.field else ""
        out.print(f"{d.event_id}  {d.body.get('type')}  [{d.refusal.code}]{where}", markup=False)
        out.print(f"    {d.refusal.message}", markup=False)
        if d.refusal.message_zh and d.refusal.message_zh != d.refusal.message:
            out.print(f"    {d.refusal.message_zh}", markup=False)
    out.print("Fix the cause, then / 修正原因后: trace sync requeue EVENT_ID … (or --all)", markup=False)


@sync_app.command("requeue")
def sync_requeue(
    event_ids: Annotated[
        list[str] | None, typer.Argument(help="Dead letters to send again / 要重发的事件")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every dead letter / 全部")] = False,
    queue: QueueOption = None,
) -> None:
    """Put refused events back in the queue, in their old place / 将被拒绝的事件放回队列。"""
    if not event_ids and not every:
        raise typer.BadParameter("name the events, or give --all / 请指定事件或使用 --all")
    with _reported("sync requeue", "重新入队"), _open(queue) as opened:
        moved = opened.requeue(None if every else event_ids)
    out.print(
        f"{moved} event(s) back in the queue / 已放回队列; send them with / 推送: trace sync push",
        markup=False,
    )


# -- rfid ---------------------------------------------------------------------------------------------------------


@rfid_app.command("bridge")
def rfid_bridge(
    reader: Annotated[str, typer.Option(help="The reader: host or host:port (LLRP, port 5084) / 读写器地址")],
    site: Annotated[str, typer.Option(help="Registered site of the portal / 场地")],
    party: Annotated[str, typer.Option(help="Registered party that receives / 接收主体")],
    from_party: Annotated[
        str | None, typer.Option(help="Who hands the goods over, if always the same / 交付方")
    ] = None,
    server: ServerOption = DEFAULT_SERVER,
    queue: QueueOption = None,
    window: Annotated[
        float, typer.Option(min=0, help="Seconds a tag must be out of sight to count again / 去重窗口（秒）")
    ] = 30.0,
    antenna: Annotated[
        list[int] | None, typer.Option(help="Antennas to use (repeat the option; default all) / 天线")
    ] = None,
    report_every: Annotated[
        int, typer.Option(min=1, help="Tags per report from the reader / 每次报告标签数")
    ] = 1,
    keepalive: Annotated[float, typer.Option(min=0.1, help="Keepalive period in seconds / 心跳周期")] = 10.0,
    push_every: Annotated[
        float, typer.Option(min=0.1, help="Seconds between pushes when idle / 推送间隔")
    ] = 5.0,
    gateway_clock: Annotated[
        bool,
        typer.Option(
            "--gateway-clock", help="Time events by this machine's clock, not the reader's / 使用本机时钟"
        ),
    ] = False,
) -> None:
    """Read tags from an LLRP reader and submit receive events / 读取标签并提交接收事件。"""
    from retrace.scanners.rfid.bridge import PORTAL_IGNORED_CODES, BridgeConfig, RfidBridge, run_gateway
    from retrace.scanners.rfid.client import ReaderSettings
    from retrace.scanners.rfid.llrp import RoSpec
    from retrace.scanners.sync import SyncClient

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    with _reported("rfid bridge", "RFID 桥接"), _open(queue) as opened:
        spec = RoSpec(antennas=tuple(antenna) if antenna else (0,), report_every_n_tags=report_every)
        settings = ReaderSettings.parse(reader, rospec=spec, keepalive_ms=int(keepalive * 1000))
        config = BridgeConfig(
            site, party, from_party, timedelta(seconds=window), reader, use_reader_clock=not gateway_clock
        )
        bridge = RfidBridge(config, opened)
        out.print(
            f"Bridge / 桥接: reader {settings.host}:{settings.port} → queue {opened.path.resolve()} → {server}\n"
            f"  receive at / 接收于 {site} by / 主体 {party}; repeats within {window:g}s suppressed / 去重窗口\n"
            "  Press Ctrl+C to stop / 按 Ctrl+C 停止",
            markup=False,
        )

        async def go() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            async with SyncClient(opened, server, ignore_codes=PORTAL_IGNORED_CODES) as sync:
                await run_gateway(bridge, settings, sync, stop, push_every=push_every)

        asyncio.run(go())
        stats = bridge.stats
        status = opened.status()
    out.print(
        f"Stopped / 已停止: {stats.reads} reads / 读取, {stats.repeats} repeats / 重复, "
        f"{stats.submitted} queued / 入队, {stats.unreadable} unreadable / 无法解码; "
        f"{status.pending} still queued / 仍在队列",
        markup=False,
    )


@rfid_app.command("emulate")
def rfid_emulate(
    tags: Annotated[Path, typer.Option(help="Tag reads, one per line: EPC-HEX [antenna [pause]] / 标签文件")],
    host: Annotated[str, typer.Option(help="Address to listen on / 监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (LLRP: 5084) / 端口")] = 5084,
    pause: Annotated[
        float, typer.Option(min=0, help="Seconds between reads without their own / 读取间隔")
    ] = 0.2,
    loop: Annotated[bool, typer.Option("--loop", help="Play the reads again and again / 循环播放")] = False,
) -> None:
    """An LLRP reader emulator that plays tag reads from a file / LLRP 读写器模拟器。"""
    from dataclasses import replace

    from retrace.scanners.rfid.emulator import ReaderEmulator, script_from_lines

    with _reported("rfid emulate", "模拟读写器"):
        script = [
            read if read.after else replace(read, after=pause)
            for read in script_from_lines(tags.read_text(encoding="utf-8").splitlines())
        ]

        async def go() -> ReaderEmulator:
            stop = asyncio.Event()
            running = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                running.add_signal_handler(sig, stop.set)
            emulator = ReaderEmulator(script, host=host, port=port, loop_script=loop)
            async with emulator:
                out.print(
                    f"LLRP reader emulator on / 模拟读写器监听 {host}:{emulator.port} with {len(script)} "
                    "reads / 条读取; Ctrl+C to stop / 按 Ctrl+C 停止",
                    markup=False,
                )
                await stop.wait()
            return emulator

        emulator = asyncio.run(go())
    out.print(
        f"Stopped / 已停止: {emulator.connections} connection(s) / 连接, {emulator.tags_sent} tag reads sent / 已发送",
        markup=False,
    )


@rfid_app.command("decode")
def rfid_decode(
    epcs: Annotated[list[str], typer.Argument(help="EPC hex as read from the tag / 标签 EPC 十六进制")],
) -> None:
    """Decode EPCs (SGTIN-96/198, SSCC-96, GRAI-96/170) to URN and platform key / 解码 EPC。"""
    from retrace.domain.identifiers import EpcHex

    failed = False
    for text in epcs:
        try:
            tag = EpcHex.parse(text)
        except TraceError as e:
            failed = True
            err.print(f"{text}  ✗ {e.message}", markup=False)
            continue
        out.print(f"{tag.hex}  {tag.tag_uri}  {tag.identity.urn}  {tag.key}", markup=False)
    if failed:
        raise typer.Exit(1)
