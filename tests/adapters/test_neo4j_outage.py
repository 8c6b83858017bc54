"""Neo4j going away during a commit: what the store says, and whether it is true.

Before the COMMIT reaches the server, a lost connection means the server rolls the transaction back: "nothing was
stored" is true.  Once the COMMIT is sent, the client cannot know whether it was applied; the error must say so and
tell the device to resend (a resend of a stored batch is answered as a replay).  Both are shown on a real server,
through a relay that drops the connection (``tests/contract/outage.py``).  The contract suite shows the same
failures on both stores (``tests/contract/test_store_outage.py``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from retrace.adapters.neo4j.store import COMMIT_STEPS, Neo4jStore
from retrace.app.capture import CaptureEvents
from retrace.app.registry import RegisterMasterData
from retrace.domain.errors import StoreUnavailable
from retrace.domain.events import Event
from tests.contract.outage import SeverableRelay
from tests.world import NOW, at, commission, digital_link, registration, ship

pytestmark = [pytest.mark.asyncio, pytest.mark.neo4j]

URI = os.environ.get("TRACE_TEST_NEO4J_URI", "bolt://127.0.0.1:17687")
TVS = (digital_link(9700), digital_link(9701))


def batch() -> list[Event]:
    return [
        commission("o-c", at(0), "tv-maker", *[((tv,), "tv") for tv in TVS]),
        ship("o-s", at(1), "tv-maker", "collector", *TVS),
    ]


async def _connect(uri: str) -> Neo4jStore:
    try:
        return await Neo4jStore.connect(uri, None)
    except StoreUnavailable as e:
        pytest.fail(f"Neo4j is not reachable at {uri}: run `scripts/neo4j start`. {e}")


@pytest.fixture
async def direct() -> AsyncIterator[Neo4jStore]:
    store = await _connect(URI)
    await store.migrate()
    await store.wipe()
    await RegisterMasterData(store).execute(registration())
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def relay() -> AsyncIterator[SeverableRelay]:
    host, _, port = URI.removeprefix("bolt://").partition(":")
    relay = SeverableRelay(host, int(port or 7687))
    await relay.start()
    try:
        yield relay
    finally:
        await relay.close()


@pytest.fixture
async def relayed(direct: Neo4jStore, relay: SeverableRelay) -> AsyncIterator[Neo4jStore]:
    """A second store on the same database, through the relay."""
    store = await _connect(f"bolt://127.0.0.1:{relay.port}")
    try:
        yield store
    finally:
        await store.close()


async def test_the_seam_hears_every_step_of_a_commit_in_order(relayed: Neo4jStore) -> None:
    """The outage tests cut at named steps: a step the seam never announced would make them cut nothing."""
    heard: list[str] = []

    async def listen(step: str) -> None:
        heard.append(step)

    relayed.before_commit_step = listen
    await CaptureEvents(relayed, clock=lambda: NOW).execute(batch())
    assert heard == list(COMMIT_STEPS)


async def test_a_connection_lost_before_the_commit_says_nothing_was_stored(
    direct: Neo4jStore, relay: SeverableRelay, relayed: Neo4jStore
) -> None:
    async def cut(step: str) -> None:
        if step == "write_relationships":  # events and objects are written in the open transaction
            relay.sever()

    relayed.before_commit_step = cut
    with pytest.raises(StoreUnavailable) as info:
        await CaptureEvents(relayed, clock=lambda: NOW).execute(batch())
    assert "nothing was stored" in info.value.message
    assert "outcome" not in info.value.details
    assert await direct.get_events(["o-c", "o-s"]) == {}
    resent = await CaptureEvents(direct, clock=lambda: NOW).execute(batch())
    assert [o.status for o in resent.outcomes] == ["created", "created"]


async def test_a_connection_lost_before_the_commit_reached_the_server_says_the_outcome_is_unknown(
    direct: Neo4jStore, relay: SeverableRelay, relayed: Neo4jStore
) -> None:
    async def cut(step: str) -> None:
        if step == "commit":
            relay.sever()

    relayed.before_commit_step = cut
    with pytest.raises(StoreUnavailable) as info:
        await CaptureEvents(relayed, clock=lambda: NOW).execute(batch())
    # The store cannot tell a COMMIT that never arrived from one whose answer was lost: it must not claim either.
    assert "outcome is unknown" in info.value.message and "nothing was stored" not in info.value.message
    assert "resend the same batch" in info.value.message
    assert info.value.details == {"store": "neo4j", "outcome": "unknown"}
    assert await direct.get_events(["o-c", "o-s"]) == {}  # here it never arrived: a resend stores it
    resent = await CaptureEvents(direct, clock=lambda: NOW).execute(batch())
    assert [o.status for o in resent.outcomes] == ["created", "created"]


async def test_a_commit_whose_answer_was_lost_is_stored_and_a_resend_is_a_replay(
    direct: Neo4jStore, relay: SeverableRelay, relayed: Neo4jStore
) -> None:
    """Why "nothing was stored" would be a lie after the COMMIT: the server committed, the device heard an error."""

    async def lose_the_answer(step: str) -> None:
        if step == "commit":
            relay.sever_on_next_reply()  # the COMMIT goes through; its answer does not

    relayed.before_commit_step = lose_the_answer
    with pytest.raises(StoreUnavailable) as info:
        await CaptureEvents(relayed, clock=lambda: NOW).execute(batch())
    assert "outcome is unknown" in info.value.message
    assert sorted(await direct.get_events(["o-c", "o-s"])) == ["o-c", "o-s"]  # it was stored after all
    before = await direct.counts()
    resent = await CaptureEvents(direct, clock=lambda: NOW).execute(batch())
    assert [o.status for o in resent.outcomes] == ["replayed", "replayed"]
    assert await direct.counts() == before
