"""Several API worker processes, one store: devices racing on the same item get exactly one winner (brief §7).

Runs the real command (`trace serve --workers 2`) as a separate process on each store and sends conflicting
requests at the same moment from many threads.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.payloads import commission, disassemble, lot, receive, registry, ship
from tests.conftest import NEO4J_URI
from tests.world import digital_link

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "TRACE_STORE": request.param,
        "TRACE_SQLITE_PATH": str(tmp_path / "trace.db"),
        "TRACE_NEO4J_URI": NEO4J_URI,
        "TRACE_NEO4J_USER": "",
    }
    if request.param == "neo4j":
        subprocess.run([sys.executable, "-c", _WIPE], env=env, check=True, timeout=60)
    command = [sys.executable, "-m", "retrace.cli", "serve", "--port", str(port), "--workers", "2"]
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"trace serve did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


_WIPE = """
import asyncio, os
from retrace.adapters.neo4j.store import Neo4jStore
async def main():
    store = await Neo4jStore.connect(os.environ["TRACE_NEO4J_URI"], None)
    await store.migrate()
    await store.wipe()
    await store.close()
asyncio.run(main())
"""


def _post(base: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/events", json=body, timeout=60)


def test_racing_dismantlers_on_several_workers_get_exactly_one_winner(server: str) -> None:
    assert httpx.post(f"{server}/api/v1/registry", json=registry(), timeout=30).status_code == 200
    tv = digital_link(9900)
    setup = {
        "events": [
            commission("c1", 0, tv),
            ship("s1", 1, "maker", "dismantler", tv),
            receive("r1", 2, "dismantler", tv),
        ]
    }
    assert _post(server, setup).status_code == 201, _post(server, setup).text

    def dismantle(n: int) -> httpx.Response:
        return _post(
            server, {"events": [disassemble(f"d-{n}", 5, "dismantler", tv, lot(f"PL-{n}", "plastics", 7))]}
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(dismantle, range(8)))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 409: 7}, [a.text for a in answers]
    codes = {a.json()["error"]["details"]["errors"][0]["code"] for a in answers if a.status_code == 409}
    assert codes <= {"DOUBLE_TREATMENT", "CONCURRENT_MODIFICATION"}
    history = httpx.get(f"{server}/api/v1/items/{tv}/history", timeout=30).json()
    assert sum(1 for e in history["events"] if e["event"]["event_id"].startswith("d-")) == 1


def test_the_same_event_sent_by_many_retries_at_once_is_stored_once(server: str) -> None:
    assert httpx.post(f"{server}/api/v1/registry", json=registry(), timeout=30).status_code == 200
    body = {"events": [commission("same-id", 0, digital_link(9901))]}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: _post(server, body), range(8)))
    assert Counter(a.status_code for a in answers) == {201: 1, 200: 7}, [a.text for a in answers]
    outcomes = {tuple(a.json()["outcomes"][0]["created_ids"]) for a in answers}
    assert len(outcomes) == 1
