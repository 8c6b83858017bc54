"""``trace labels``: by identifiers, by event, by party and period; PDF, PNG and SVG; failures say what to do."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import zxingcpp
from typer.testing import CliRunner, Result

from retrace.adapters.sqlite.store import SqliteStore
from retrace.cli.main import app
from tests.labels.support import RESOLVER, decode_png, labelled, populate, rasterise_svg_qr, read_pdf


@pytest.fixture
def trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("TRACE_STORE", "TRACE_ENV", "TRACE_SQLITE_PATH", "TRACE_RESOLVER_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    async def fill() -> None:
        store = await SqliteStore.open(tmp_path / "data" / "trace.db")
        try:
            await populate(store)
        finally:
            await store.close()

    asyncio.run(fill())
    return CliRunner()


def run(runner: CliRunner, tmp_path: Path, *args: str) -> Result:
    env = {
        "TRACE_SQLITE_PATH": str(tmp_path / "data" / "trace.db"),
        "TRACE_RESOLVER_BASE": RESOLVER,
        "COLUMNS": "200",
    }
    return runner.invoke(app, ["labels", *args], env=env)


def test_identifiers_to_a_pdf_sheet(trace: CliRunner, tmp_path: Path) -> None:
    items = labelled()
    result = run(trace, tmp_path, *(i.identifier for i in items))
    assert result.exit_code == 0, result.output
    assert f"{len(items)} label(s) on 2 page(s)" in result.output and "labels.pdf" in result.output
    assert "Drawing" in result.output and f"{len(items)}/{len(items)}" in result.output  # the progress bar
    decoded = [c.text for page in read_pdf((tmp_path / "labels.pdf").read_bytes()) for c in page.codes]
    assert sorted(decoded) == sorted(i.link for i in items)


def test_an_event_to_png_files_one_per_label(trace: CliRunner, tmp_path: Path) -> None:
    result = run(trace, tmp_path, "--event", "c-car", "--format", "png", "--output", "cars")
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "cars").glob("*.png"))
    assert len(files) == 5
    decoded = sorted(code.text for f in files for code in decode_png(f.read_bytes()))
    assert decoded == sorted(i.link for i in labelled()[7:12])


def test_a_party_and_period_with_dates(trace: CliRunner, tmp_path: Path) -> None:
    # The world's events are on 2026-03-02 (+08:00); --to is a day included.
    result = run(
        trace, tmp_path, "--party", "tv-maker", "--from", "2026-03-02", "--to", "2026-03-02", "-o", "tv.pdf"
    )
    assert result.exit_code == 0, result.output
    decoded = [c.text for page in read_pdf((tmp_path / "tv.pdf").read_bytes()) for c in page.codes]
    assert sorted(decoded) == sorted(i.link for i in labelled()[:5])
    empty = run(trace, tmp_path, "--party", "tv-maker", "--from", "2026-03-03", "--to", "2026-03-31")
    assert empty.exit_code == 1 and "Nothing to print" in empty.output


def test_one_svg_file_and_another_resolver(trace: CliRunner, tmp_path: Path) -> None:
    item = labelled()[7]
    base = "https://trace.example.cn"
    result = run(trace, tmp_path, item.identifier, "-o", "car.svg", "--resolver-base", base)
    assert result.exit_code == 0, result.output
    (code,) = zxingcpp.read_barcodes(rasterise_svg_qr((tmp_path / "car.svg").read_bytes()))
    assert code.text == item.link.replace(RESOLVER, base)


@pytest.mark.parametrize(
    ("args", "exit_code", "says"),
    [
        ((), 2, "exactly one"),
        (("--party", "tv-maker"), 2, "--from and --to"),
        (("--party", "tv-maker", "--from", "yesterday", "--to", "2026-01-01"), 2, "neither a date"),
        (("--party", "tv-maker", "--from", "2026-01-01T00:00:00", "--to", "2026-01-02"), 2, "timezone"),
        (("NOPE-0001",), 1, "OBJECT_NOT_FOUND"),
        (("--event", "nope"), 1, "EVENT_NOT_FOUND"),
        (("--party", "nobody", "--from", "2026-01-01", "--to", "2026-12-31"), 1, "PARTY_NOT_FOUND"),
        (("LFV3A200200000001", "--resolver-base", "ftp://x"), 1, "resolver base"),
    ],
)
def test_failures_say_what_is_wrong(
    trace: CliRunner, tmp_path: Path, args: tuple[str, ...], exit_code: int, says: str
) -> None:
    result = run(trace, tmp_path, *args)
    assert result.exit_code == exit_code, result.output
    assert says in result.output
    assert "Traceback" not in result.output
