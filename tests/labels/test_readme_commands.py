"""The README's `trace labels` commands, run as written on the demo data: every label they print scans and finds
the item it was printed for (so the README cannot drift from what the command does)."""

from __future__ import annotations

import asyncio
import itertools
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retrace.adapters.sqlite.store import SqliteStore
from retrace.bootstrap import Services
from retrace.cli.main import app
from retrace.config import Settings
from tests.conftest import copy_demo
from tests.labels.support import RESOLVER, decode_png, read_pdf

README = Path(__file__).resolve().parents[2] / "README.md"
_COMMAND = re.compile(r"^uv run trace labels (?P<args>[^#\n]*?)\s*(?:#.*)?$", re.MULTILINE)


def readme_label_commands() -> list[list[str]]:
    return [shlex.split(match["args"]) for match in _COMMAND.finditer(README.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(demo_template, tmp_path_factory.mktemp("demo"))


def test_the_readme_shows_label_commands_of_each_kind() -> None:
    commands = readme_label_commands()
    assert any("--event" in args for args in commands)
    assert any("--party" in args for args in commands)
    assert any(not args[0].startswith("--") for args in commands)  # by identifiers


def _printed_links(folder: Path) -> list[str]:
    links: list[str] = []
    for pdf in sorted(folder.rglob("*.pdf")):
        links += [code.text for page in read_pdf(pdf.read_bytes()) for code in page.codes]
    for png in sorted(folder.rglob("*.png")):
        links += [code.text for code in decode_png(png.read_bytes())]
    return links


@pytest.mark.parametrize("args", readme_label_commands(), ids=lambda args: " ".join(args))
def test_a_readme_label_command_prints_labels_that_find_their_items(
    args: list[str], demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TRACE_STORE", "TRACE_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    env = {"TRACE_SQLITE_PATH": str(demo_db), "TRACE_RESOLVER_BASE": RESOLVER, "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["labels", *args], env=env)
    assert result.exit_code == 0, result.output
    count = int(re.search(r"(\d+) label\(s\)", result.output)[1])  # type: ignore[index]
    links = _printed_links(tmp_path)
    assert len(links) == count > 0, result.output
    assert all(link.startswith(RESOLVER) for link in links)

    found = asyncio.run(_ids_found_by(demo_db, links))
    assert len(set(found)) == len(found)  # one label per item, each scanning back to its own
    named = list(itertools.takewhile(lambda arg: not arg.startswith("--"), args))
    if named:  # by identifiers: the labels are exactly those items'
        assert sorted(found) == sorted(asyncio.run(_ids_found_by(demo_db, named)))


async def _ids_found_by(db: Path, identifiers: list[str]) -> list[str]:
    store = await SqliteStore.open(db)
    try:
        trace = Services.build(Settings(sqlite_path=db), store).trace
        return [(await trace.find(text)).id for text in identifiers]
    finally:
        await store.close()
