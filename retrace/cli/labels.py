"""``trace labels``: print QR labels for items, as an A4 PDF sheet or one PNG/SVG file per label."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrace.app.label_formats import LabelFormat
from retrace.cli.common import load_settings, out, reported

if TYPE_CHECKING:
    from retrace.app.labels import LabelContent, PrintLabels, SheetChoice

CHINA = timezone(timedelta(hours=8), "CST")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

EXAMPLES = """
Examples / 示例:

  trace labels https://id.retrace.example/01/09521001101554/21/25032400003 LJNE52N14SS000007

  trace labels --event demo-000410 --output tv-labels.pdf

  trace labels --party shuli-battery --from 2025-01-01 --to 2025-03-31

  trace labels SLBPEN1YB00000S2D0000007 --format png --output pack.png
"""


def _instant(text: str, *, end: bool) -> datetime:
    """An RFC 3339 instant, or a date: the day's start in China Standard Time (the end of the day for ``--to``)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise typer.BadParameter(
                f"{text!r} is neither a date (2025-01-31) nor a time with an offset (2025-01-31T08:00:00+08:00)"
            ) from None
        if moment.tzinfo is None:
            raise typer.BadParameter(f"{text!r} needs a timezone offset, e.g. +08:00") from None
        return moment
    return datetime.combine(day + timedelta(days=1) if end else day, time(), CHINA)


# The use case's fields, as this command's options name them.
_OPTION_OF_FIELD = {
    "identifiers": "IDENTIFIERS",
    "event_id": "--event",
    "party_id": "--party",
    "start": "--from",
    "end": "--to",
}


def _choice(
    identifiers: list[str] | None, event: str | None, party: str | None, start: str | None, end: str | None
) -> SheetChoice:
    """The sheet asked for, checked by the same rule as REST and GraphQL (exactly one way of choosing)."""
    from retrace.app.labels import SheetChoice
    from retrace.domain.errors import InvalidInput

    try:
        return SheetChoice(
            identifiers=identifiers or None,
            event_id=event,
            party_id=party,
            start=_instant(start, end=False) if start is not None else None,
            end=_instant(end, end=True) if end is not None else None,
        )
    except InvalidInput as e:
        option = _OPTION_OF_FIELD.get(e.field or "", e.field)
        # The rule's own words, with the options of this command for the fields of the request.
        message = re.sub(
            r"\b(event_id|party_id|start|end)\b", lambda m: _OPTION_OF_FIELD[m.group(1)], e.message
        )
        raise typer.BadParameter(f"{message} / {e.message_zh}\n" + EXAMPLES, param_hint=option) from None


def _name(label: LabelContent, fmt: LabelFormat) -> str:
    return f"{_UNSAFE.sub('_', label.link.path).strip('_') or label.object_id}.{fmt.value}"


def labels(
    identifiers: Annotated[
        list[str] | None,
        typer.Argument(
            help="Identifiers of the items (any kind: QR link, EPC, battery code, VIN …) / 物品标识"
        ),
    ] = None,
    event: Annotated[
        str | None, typer.Option("--event", help="Every item this event commissioned / 该事件赋码的全部物品")
    ] = None,
    party: Annotated[
        str | None,
        typer.Option(
            "--party", help="Every item this party commissioned in --from … --to / 该主体在期间内赋码的物品"
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Start: a date (00:00 +08:00) or an RFC 3339 time / 开始日期或时间"),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", help="End: a date (included) or an RFC 3339 time (excluded) / 结束日期（含）或时间"
        ),
    ] = None,
    fmt: Annotated[
        LabelFormat | None,
        typer.Option(
            "--format", help="pdf (A4 sheets), png or svg; default: from --output, else pdf / 输出格式"
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="PDF: the file (labels.pdf); PNG/SVG: a folder (labels/), or a file for one label / 输出位置",
        ),
    ] = None,
    resolver_base: Annotated[
        str | None,
        typer.Option(
            help="Base URL the QR codes point at (default TRACE_RESOLVER_BASE) / 二维码指向的解析器地址"
        ),
    ] = None,
    font: Annotated[
        Path | None, typer.Option(help="A font file with Chinese glyphs for PNG labels / PNG 标签的中文字体")
    ] = None,
) -> None:
    """Print QR labels: by identifiers, or all items an event or a party commissioned / 打印二维码标签。"""
    with reported("labels", "打印标签"):
        choice = _choice(identifiers, event, party, start, end)
        if fmt is None:
            suffix = output.suffix.lower().lstrip(".") if output is not None else ""
            fmt = LabelFormat(suffix) if suffix in {f.value for f in LabelFormat} else LabelFormat.PDF
        # The renderer (qrcode, Pillow, reportlab) and the store load when labels are printed, not at start-up.
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from retrace.adapters.labels import QrLabelRenderer
        from retrace.app.labels import PrintLabels
        from retrace.bootstrap import open_store

        settings = load_settings()
        base = resolver_base or settings.resolver_base
        renderer = QrLabelRenderer(font=font)

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("labels / 标签"),
            TimeElapsedColumn(),
            console=out,
        ) as progress:
            finding = progress.add_task("Finding items / 查找物品", total=None)

            async def find() -> tuple[PrintLabels, list[LabelContent]]:
                store = await open_store(settings)
                try:
                    use_case = PrintLabels(store, renderer, base, max_labels=None)
                    return use_case, await use_case.chosen(choice)
                finally:
                    await store.close()

            use_case, contents = asyncio.run(find())
            progress.update(finding, total=len(contents), completed=len(contents))
            if not contents:
                out.print("Nothing to print: no items match / 没有符合条件的物品，无需打印", markup=False)
                raise typer.Exit(1)
            drawing = progress.add_task("Drawing / 绘制", total=len(contents))

            def advance(done: int) -> None:
                progress.update(drawing, completed=done)

            written = _write(use_case, contents, fmt, output, advance)
        pages = -(-len(contents) // renderer.sheet_layout.per_page)
        what = f"{len(contents)} label(s)" + (f" on {pages} page(s)" if fmt is LabelFormat.PDF else "")
        out.print(f"[green]✓[/green] {what} → {written} / 已生成 {len(contents)} 个标签")
        out.print(f"  QR codes point at / 二维码指向: {contents[0].link.uri}", markup=False)


def _write(
    use_case: PrintLabels,
    contents: list[LabelContent],
    fmt: LabelFormat,
    output: Path | None,
    progress: Callable[[int], None],
) -> Path:
    if fmt is LabelFormat.PDF:
        target = output or Path("labels.pdf")
        data = use_case.sheet(contents, progress)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target
    if len(contents) == 1 and output is not None and output.suffix.lower() == f".{fmt.value}":
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(use_case.single(contents[0], fmt))
        progress(1)
        return output
    folder = output or Path("labels")
    folder.mkdir(parents=True, exist_ok=True)
    for i, content in enumerate(contents):
        (folder / _name(content, fmt)).write_bytes(use_case.single(content, fmt))
        progress(i + 1)
    return folder
