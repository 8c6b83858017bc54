"""``trace sync …`` and ``trace rfid …`` in-process: what an operator sees, and exit codes without tracebacks."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from retrace.cli.main import app
from retrace.scanners.outbox import OutboxQueue
from retrace.scanners.sync import SyncClient
from tests.api.payloads import commission, receive
from tests.scanners.conftest import Sleeps, without_id
from tests.scanners.harness import FaultyNetwork, Server, no_faults


def trace(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_status_of_a_fresh_queue(tmp_path: Path) -> None:
    result = trace("sync", "status", "--queue", str(tmp_path / "q.db"))
    assert result.exit_code == 0, result.output
    assert "Waiting to be sent / 待发送:      0" in result.output
    assert "Last push / 上次推送:             never / 从未" in result.output


def test_enqueue_from_a_file_then_status_as_json(tmp_path: Path) -> None:
    queue = str(tmp_path / "q.db")
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"events": [without_id(commission("x", i, f"TV-{i}")) for i in range(2)]}))
    result = trace("sync", "enqueue", str(events), "--queue", queue)
    assert result.exit_code == 0, result.output
    ids = result.stdout.split()
    assert len(ids) == 2 and all(len(i) == 36 for i in ids)
    status = json.loads(trace("sync", "status", "--queue", queue, "--json").stdout)
    assert status["pending"] == 2 and status["dead"] == 0

    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    refused = trace("sync", "enqueue", str(bad), "--queue", queue)
    assert refused.exit_code == 1 and "expected an event object" in refused.output


def test_push_to_a_server_out_of_reach_keeps_the_events_and_says_so(tmp_path: Path) -> None:
    queue = str(tmp_path / "q.db")
    with OutboxQueue(queue) as q:
        q.enqueue(without_id(commission("x", 1, "TV-1")))
    server = f"http://127.0.0.1:{closed_port()}"
    result = trace("sync", "push", "--queue", queue, "--server", server, "--attempts", "2", "--timeout", "1")
    assert result.exit_code == 1
    assert "1 still queued / 仍在队列" in result.output
    assert "Paused / 已暂停" in result.output and "ConnectError" in result.output
    assert "Traceback" not in result.output
    assert (
        "ConnectError"
        in (json.loads(trace("sync", "status", "--queue", queue, "--json").stdout)["last_error"])
    )


async def test_dead_letters_are_listed_and_requeued(server: Server, tmp_path: Path) -> None:
    queue_path = tmp_path / "q.db"
    with OutboxQueue(queue_path) as queue:
        event_id = queue.enqueue(
            without_id(receive("x", 1, "collector", "urn:epc:id:sgtin:0614141.812345.404"))
        )
        async with SyncClient(
            queue, "http://trace.test", transport=FaultyNetwork(server, no_faults), sleep=Sleeps()
        ) as s:
            assert (await s.push()).dead == 1
    listed = trace("sync", "dead", "--queue", str(queue_path))
    assert listed.exit_code == 0, listed.output
    assert f"{event_id}  receive  [OBJECT_NOT_FOUND] (objects[0])" in listed.output
    assert "找不到" in listed.output
    (row,) = json.loads(trace("sync", "dead", "--queue", str(queue_path), "--json").stdout)
    assert row["code"] == "OBJECT_NOT_FOUND" and row["event"]["objects"] == [
        "urn:epc:id:sgtin:0614141.812345.404"
    ]
    assert trace("sync", "requeue", "--queue", str(queue_path)).exit_code == 2  # says what to give
    moved = trace("sync", "requeue", "--all", "--queue", str(queue_path))
    assert "1 event(s) back in the queue" in moved.output
    assert json.loads(trace("sync", "status", "--queue", str(queue_path), "--json").stdout)["pending"] == 1


def test_decode_tags(tmp_path: Path) -> None:
    result = trace(
        "rfid", "decode", "3074257BF7194E4000001A85", "3154257BF4499602D2000000", "E2003412B802011826906046"
    )
    assert result.exit_code == 1
    assert (
        "3074257BF7194E4000001A85  urn:epc:tag:sgtin-96:3.0614141.812345.6789  "
        "urn:epc:id:sgtin:0614141.812345.6789  gs1:01/80614141123458/21/6789"
    ) in result.output
    assert "urn:epc:id:sscc:0614141.1234567890  gs1:00/106141412345678908" in result.output
    assert (
        "E2003412B802011826906046  ✗" in result.output
        and "unknown or unsupported EPC header E2" in result.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rfid", "emulate", "--tags", "no-such-file.txt"], "No such file"),
        (["rfid", "bridge", "--reader", ":1", "--site", "s", "--party", "p"], "not a reader address"),
    ],
)
def test_rfid_commands_fail_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    result = trace(*args, *(["--queue", str(tmp_path / "q.db")] if args[1] == "bridge" else []))
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
