"""The sync client against the real app: acknowledgement, replays, dead letters, narrowing, stopping, backoff."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from retrace.domain.errors import Conflict, InvalidInput
from retrace.scanners.outbox import Disposition, OutboxQueue
from retrace.scanners.sync import Backoff, SyncClient
from tests.api.payloads import commission, receive, ship
from tests.scanners.conftest import Sleeps, without_id
from tests.scanners.harness import Fault, FaultyNetwork, Server, no_faults


def tv(n: int) -> str:
    return f"urn:epc:id:sgtin:0614141.812345.{n}"


def client(queue: OutboxQueue, network: httpx.AsyncBaseTransport, sleeps: Sleeps, **kw: Any) -> SyncClient:
    return SyncClient(
        queue,
        "http://trace.test",
        transport=network,
        sleep=sleeps,
        rng=random.Random(7),
        **kw,
    )


async def stored_ids(server: Server, ids: list[str]) -> set[str]:
    assert server.store is not None
    return set(await server.store.get_events(ids))


async def test_events_leave_the_queue_only_when_acknowledged(
    server: Server, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    ids = queue.enqueue_many(without_id(commission("x", i, tv(i))) for i in range(1, 6))
    assert [e.event_id for e in queue.peek(10)] == ids
    assert all(len(i) == 36 for i in ids)  # UUID4s made on the device at enqueue time
    async with client(queue, FaultyNetwork(server, no_faults), sleeps) as sync:
        report = await sync.push()
    assert (report.created, report.replayed, report.dead, report.pending) == (5, 0, 0, 0)
    assert await stored_ids(server, ids) == set(ids)
    status = queue.status()
    assert (status.pending, status.created, status.last_error) == (0, 5, None)


async def test_a_lost_answer_is_sent_again_and_answered_as_a_replay(
    server: Server, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    ids = queue.enqueue_many(without_id(commission("x", i, tv(i))) for i in range(1, 4))
    network = FaultyNetwork(server, lambda n: Fault.LOST if n == 1 else Fault.NONE)
    async with client(queue, network, sleeps) as sync:
        report = await sync.push()
    # The server committed the first delivery; the second got "replayed" for each event: stored once.
    assert (report.failures, report.created, report.replayed) == (1, 0, 3)
    assert await stored_ids(server, ids) == set(ids)
    assert server.store is not None and (await server.store.counts())["events"] == 3
    assert len(sleeps.delays) == 1


async def test_refused_events_go_to_dead_letters_and_the_rest_go_through(
    server: Server, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    good = [without_id(commission("x", i, tv(i))) for i in range(1, 5)]
    unknown = without_id(receive("x", 9, "collector", tv(999)))  # never commissioned: OBJECT_NOT_FOUND
    taken = without_id(commission("x", 9, tv(1)))  # the identifier is already used: IDENTIFIER_TAKEN
    ids = queue.enqueue_many([good[0], unknown, good[1], taken, good[2], good[3]])
    async with client(queue, FaultyNetwork(server, no_faults), sleeps) as sync:
        report = await sync.push()
    assert (report.created, report.dead, report.pending) == (4, 2, 0)
    dead = {d.event_id: d for d in queue.dead_letters()}
    assert set(dead) == {ids[1], ids[3]}
    # each keeps its own code; the status is the answer's (a conflict outranks a missing object in a batch)
    assert dead[ids[1]].refusal.code == "OBJECT_NOT_FOUND" and dead[ids[1]].refusal.http_status == 409
    assert dead[ids[3]].refusal.code == "IDENTIFIER_TAKEN"
    assert dead[ids[1]].refusal.message_zh and dead[ids[1]].body["objects"] == [tv(999)]
    assert await stored_ids(server, ids) == {ids[0], ids[2], ids[4], ids[5]}
    assert queue.status().dead == 2


async def test_a_dead_letter_requeued_after_the_cause_is_fixed_goes_through_in_its_old_place(
    server: Server, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    # Another device's commission has not arrived yet: this device's receive is refused.
    early_receive = queue.enqueue(without_id(receive("x", 3, "collector", tv(50))))
    async with client(queue, FaultyNetwork(server, no_faults), sleeps) as sync:
        assert (await sync.push()).dead == 1
        async with server.client() as other_device:
            answer = await other_device.post(
                "/api/v1/events",
                json={
                    "events": [commission("c-50", 1, tv(50)), ship("s-50", 2, "maker", "collector", tv(50))]
                },
            )
            assert answer.status_code == 201, answer.text
        later = queue.enqueue(without_id(ship("x", 4, "collector", "dismantler", tv(50))))
        assert queue.requeue([early_receive]) == 1
        assert [e.event_id for e in queue.peek(5)] == [early_receive, later]  # order as enqueued
        report = await sync.push()
    assert (report.created, report.dead, queue.status().dead) == (2, 0, 0)


async def test_codes_the_device_ignores_are_set_aside_not_reported_as_dead(
    server: Server, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    queue.enqueue(without_id(commission("x", 1, tv(7))))
    queue.enqueue(without_id(receive("x", 2, "maker", tv(7))))  # the maker already holds it: ALREADY_HELD
    async with client(
        queue, FaultyNetwork(server, no_faults), sleeps, ignore_codes=frozenset({"ALREADY_HELD"})
    ) as s:
        report = await s.push()
    assert (report.created, report.ignored, report.dead) == (1, 1, 0)
    (ignored,) = queue.dead_letters(disposition=Disposition.IGNORED)
    assert ignored.refusal.code == "ALREADY_HELD"
    assert queue.status().ignored == 1 and queue.status().dead == 0


async def test_a_wrong_server_url_stops_the_push_and_keeps_every_event(
    server: Server, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    queue.enqueue_many(without_id(commission("x", i, tv(i))) for i in range(1, 4))
    network = FaultyNetwork(server, no_faults)
    async with SyncClient(queue, "http://trace.test/wrong-prefix", transport=network, sleep=sleeps) as sync:
        report = await sync.push()
    assert report.stopped is not None and "HTTP 404 NOT_FOUND" in report.stopped
    assert (report.dead, report.pending, queue.status().dead) == (0, 3, 0)
    assert queue.status().last_error == report.stopped


async def test_a_batch_over_the_servers_limit_is_split(
    tmp_path: Path, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    from tests.api.payloads import registry

    server = await Server(tmp_path / "small.db", max_batch=7).start()
    try:
        async with server.client() as c:
            assert (await c.post("/api/v1/registry", json=registry())).status_code == 200
        ids = queue.enqueue_many(without_id(commission("x", i, tv(i))) for i in range(1, 41))
        async with client(queue, FaultyNetwork(server, no_faults), sleeps, batch_size=40) as sync:
            report = await sync.push()
        assert (report.created, report.dead, report.pending) == (40, 0, 0)
        assert await stored_ids(server, ids) == set(ids)
    finally:
        await server.stop()


async def test_after_max_attempts_the_push_pauses_and_the_next_one_resumes(
    server: Server, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    ids = queue.enqueue_many(without_id(commission("x", i, tv(i))) for i in range(1, 4))
    down = True
    network = FaultyNetwork(server, lambda n: Fault.REFUSED if down else Fault.NONE)
    async with client(queue, network, sleeps, max_attempts=4) as sync:
        report = await sync.push()
        assert report.stopped is not None and "ConnectError" in report.stopped
        assert (report.failures, report.pending, len(sleeps.delays)) == (4, 3, 3)
        status = queue.status()
        assert status.max_attempts == 4 and "Connection refused" in (status.last_error or "")
        down = False
        again = await sync.push()
    assert (again.created, again.pending) == (3, 0)
    assert await stored_ids(server, ids) == set(ids)


async def test_busy_answers_are_retried_after_their_retry_after(
    server: Server, queue: OutboxQueue, sleeps: Sleeps
) -> None:
    busy = {"error": {"code": "STORE_UNAVAILABLE", "message": "busy", "message_zh": "忙", "details": {}}}

    class Busy(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.calls = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.calls += 1
            if self.calls <= 2:
                return httpx.Response(503, json=busy, headers={"Retry-After": "5"}, request=request)
            return await server.forward(request)

    queue.enqueue(without_id(commission("x", 1, tv(1))))
    async with client(queue, Busy(), sleeps, backoff=Backoff(base=0.01, cap=30)) as sync:
        report = await sync.push()
    assert (report.failures, report.created) == (2, 1)
    assert sleeps.delays == [5.0, 5.0]  # the jittered delay (at most 0.02 s) is raised to the server's 5 s


def test_backoff_is_exponential_with_full_jitter_and_a_cap() -> None:
    backoff = Backoff(base=0.5, cap=8.0)
    rng = random.Random(1)
    for attempt in range(10):
        ceiling = min(8.0, 0.5 * 2**attempt)
        delays = [backoff.delay(attempt, rng) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > 0.8 * ceiling and min(delays) < 0.2 * ceiling  # spread over the whole range
    assert backoff.delay(3, rng, retry_after=120) == 8.0  # a Retry-After longer than the cap is capped


# -- the queue on its own -------------------------------------------------------------------------------------------


def test_the_queue_survives_a_reboot(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with OutboxQueue(path) as first:
        ids = first.enqueue_many([{"type": "commission", "n": i} for i in range(3)])
        device = first.status().device_id
    with OutboxQueue(path) as again:
        assert [e.event_id for e in again.peek(10)] == ids
        assert again.status().device_id == device
        assert again._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert again._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_enqueueing_again_with_the_same_id_is_harmless_with_other_content_a_conflict(
    queue: OutboxQueue,
) -> None:
    event = {"type": "weigh", "event_id": "dev-1", "object": "X-1", "mass_kg": "1.5"}
    assert queue.enqueue(event) == "dev-1"
    assert queue.enqueue(dict(event)) == "dev-1"
    assert queue.status().pending == 1
    with pytest.raises(Conflict) as info:
        queue.enqueue({**event, "mass_kg": "2"})
    assert info.value.code == "EVENT_ID_CONFLICT"


def test_a_batch_enqueue_is_all_or_nothing(queue: OutboxQueue) -> None:
    with pytest.raises(InvalidInput):
        queue.enqueue_many([{"type": "weigh"}, {"no": "type"}, {"type": "weigh"}])
    assert queue.status().pending == 0


async def test_two_pushers_on_one_queue_file_store_each_event_once(
    server: Server, tmp_path: Path, sleeps: Sleeps
) -> None:
    path = tmp_path / "shared.db"
    with OutboxQueue(path) as a, OutboxQueue(path) as b:
        ids = a.enqueue_many(without_id(commission("x", i, tv(i))) for i in range(1, 201))
        async with (
            client(a, FaultyNetwork(server, no_faults), sleeps, batch_size=10) as first,
            client(b, FaultyNetwork(server, no_faults), sleeps, batch_size=10) as second,
        ):
            one, two = await asyncio.gather(first.push(), second.push())
        assert one.created + two.created == 200  # the overlap, if any, was answered as replays
        assert a.status().pending == 0
    assert await stored_ids(server, ids) == set(ids)
    assert server.store is not None and (await server.store.counts())["events"] == 200
