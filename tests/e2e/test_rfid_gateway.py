"""The RFID gateway as the README runs it: real processes, the demo data, the example tag file.

``trace demo --no-serve`` then ``trace serve`` (embedded store), ``trace rfid emulate`` playing
``scanners/examples/dock-door.txt`` (an LLRP reader on loopback), and ``trace rfid bridge`` at the dismantler's dock
door (reader → queue → sync → server).  Ctrl+C (SIGINT) stops the bridge cleanly.  The air conditioner the demo
leaves in transit is received exactly once; the repeats are suppressed; the blank tag is reported by
``trace sync status`` and never submitted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

EXAMPLE_TAGS = Path(__file__).resolve().parents[2] / "scanners" / "examples" / "dock-door.txt"
AIR_CONDITIONER = "urn:epc:id:sgtin:9521001.040135.25070800001"  # the demo's MISSING_IN_TRANSIT item


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _trace(*args: str) -> list[str]:
    return [sys.executable, "-m", "retrace.cli", *args]


def _wait(condition: Callable[[], bool], what: str, logs: list[Path], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen:\n" + "\n".join(f"--- {p.name}\n{p.read_text()}" for p in logs))


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def test_the_readme_gateway_receives_the_missing_air_conditioner_once(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    env = {**os.environ, "TRACE_STORE": "sqlite", "TRACE_SQLITE_PATH": str(tmp_path / "demo" / "trace.db")}
    api_port, reader_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{api_port}"
    logs = [tmp_path / "serve.log", tmp_path / "emulate.log", tmp_path / "bridge.log"]

    def spawn(log: Path, *args: str) -> subprocess.Popen[str]:
        with log.open("w") as sink:
            process = subprocess.Popen(
                _trace(*args), env=env, stdout=sink, stderr=subprocess.STDOUT, text=True
            )
        processes.append(process)
        return process

    subprocess.run(
        _trace("demo", "--no-serve", "--data-dir", str(tmp_path / "demo")), env=env, check=True, timeout=300
    )
    spawn(logs[0], "serve", "--port", str(api_port))
    _wait(lambda: httpx.get(f"{base}/healthz", timeout=2).status_code == 200, "trace serve", logs)
    before = httpx.get(f"{base}/api/v1/items/{AIR_CONDITIONER}").json()
    assert (before["status"], before["in_transit_to"]) == ("in_transit", "huanan-weee")

    spawn(
        logs[1], "rfid", "emulate", "--tags", str(EXAMPLE_TAGS), "--port", str(reader_port), "--pause", "0.05"
    )
    _wait(lambda: "LLRP reader emulator on" in logs[1].read_text(), "trace rfid emulate", logs)
    queue = tmp_path / "gateway" / "outbox.db"
    bridge = spawn(
        logs[2],
        "rfid", "bridge", "--reader", f"127.0.0.1:{reader_port}", "--site", "s-huanan-weee-huiyang",
        "--party", "huanan-weee", "--server", base, "--queue", str(queue), "--push-every", "0.2",
    )  # fmt: skip

    def received() -> bool:
        item = httpx.get(f"{base}/api/v1/items/{AIR_CONDITIONER}", timeout=2).json()
        return bool(item["holder_id"] == "huanan-weee" and item["status"] == "active")

    _wait(received, "the air conditioner received at the dock door", logs)
    # The blank tag comes after the air conditioner in the script: stop only once the bridge has reported it.
    _wait(
        lambda: "unreadable tag E2003412B802011826906046" in logs[2].read_text(),
        "the blank tag reported",
        logs,
    )
    bridge.send_signal(signal.SIGINT)
    assert bridge.wait(timeout=30) == 0, logs[2].read_text()
    output = logs[2].read_text()
    # How many reads arrive before Ctrl+C depends on timing; what each read became does not: every read is a
    # repeat, the one queued receipt, or the one unreadable tag.
    summary = re.search(
        r"Stopped / 已停止: (\d+) reads / 读取, (\d+) repeats / 重复, 1 queued / 入队, 1 unreadable / 无法解码",
        output,
    )
    assert summary is not None, output
    reads, repeats = int(summary[1]), int(summary[2])
    assert reads == repeats + 2 and repeats >= 1, output
    assert "0 still queued" in output

    history = httpx.get(f"{base}/api/v1/items/{AIR_CONDITIONER}/history").json()
    receipts = [h["event"] for h in history["events"] if h["event"]["type"] == "receive"]
    assert [(r["party_id"], r["site_id"]) for r in receipts].count(
        ("huanan-weee", "s-huanan-weee-huiyang")
    ) == 1

    status = subprocess.run(
        _trace("sync", "status", "--queue", str(queue), "--json"),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(status.stdout)
    assert (summary["pending"], summary["created"], summary["dead"], summary["unreadable_tags"]) == (
        0,
        1,
        0,
        1,
    )
