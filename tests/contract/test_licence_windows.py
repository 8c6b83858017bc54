"""Custody and licence validity on both stores: a licence counts from its first day to its last, both included, in
the event time's own calendar date (``Licence.covers``); outside that window custody is refused (LICENCE_INVALID)
and nothing is stored."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.domain.model import Status
from tests.contract.test_capture import codes, rejected
from tests.world import (
    CST,
    LAPSED_ON,
    NOW,
    STARTS_ON,
    battery,
    commission,
    licence_windows,
    receive,
    registration,
    ship,
)

pytestmark = pytest.mark.asyncio

PACK = battery("P", 70)


def first_moment(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), CST)


def last_moment(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), CST)


@pytest.fixture
async def capture(store: GraphStore) -> CaptureEvents:
    """The test world, the two recyclers with licences for a while only, and a battery pack at its maker."""
    await RegisterMasterData(store).execute(registration())
    await RegisterMasterData(store).execute(licence_windows())
    capture = CaptureEvents(store, clock=lambda: NOW)
    made = first_moment(LAPSED_ON - timedelta(days=20))
    await capture.execute([commission("c-pack", made, "car-maker", ((PACK,), "ncm-pack"))])
    return capture


async def test_custody_to_a_party_whose_licence_expired_before_the_event_is_refused(
    capture: CaptureEvents,
) -> None:
    day_after = first_moment(LAPSED_ON + timedelta(days=1))
    errors = await rejected(capture, [ship("s-late", day_after, "car-maker", "lapsed-recycler", PACK)])
    assert codes(errors) == ["LICENCE_INVALID"]
    assert errors[0]["field"] == "to_party_id"
    assert errors[0]["details"] == {"party_id": "lapsed-recycler", "stream": "battery"}
    months_on = first_moment(LAPSED_ON + timedelta(days=200))
    errors = await rejected(capture, [ship("s-later", months_on, "car-maker", "lapsed-recycler", PACK)])
    assert codes(errors) == ["LICENCE_INVALID"]


async def test_custody_on_the_last_day_of_a_licence_is_accepted_and_receiving_the_day_after_is_not(
    capture: CaptureEvents,
) -> None:
    shipped = last_moment(LAPSED_ON) - timedelta(hours=1)
    await capture.execute([ship("s-in-time", shipped, "car-maker", "lapsed-recycler", PACK)])
    # the receiving party needs a valid licence on the day it takes the pack in, too
    day_after = first_moment(LAPSED_ON + timedelta(days=1))
    errors = await rejected(capture, [receive("r-late", day_after, "lapsed-recycler", PACK)])
    assert codes(errors) == ["LICENCE_INVALID"]
    assert errors[0]["field"] == "party_id"
    await capture.execute([receive("r-in-time", last_moment(LAPSED_ON), "lapsed-recycler", PACK)])
    pack = await TraceQueries(capture.store).find(PACK)
    assert (pack.holder_id, pack.status) == ("lapsed-recycler", Status.ACTIVE)


async def test_custody_to_a_party_whose_licence_is_not_yet_valid_is_refused(capture: CaptureEvents) -> None:
    for event_id, moment in [
        ("s-early", last_moment(STARTS_ON - timedelta(days=1))),  # the last second before the first day
        ("s-much-earlier", first_moment(STARTS_ON - timedelta(days=7))),
    ]:
        errors = await rejected(capture, [ship(event_id, moment, "car-maker", "new-recycler", PACK)])
        assert codes(errors) == ["LICENCE_INVALID"], event_id
        assert errors[0]["field"] == "to_party_id"
        assert errors[0]["details"] == {"party_id": "new-recycler", "stream": "battery"}
    assert (await TraceQueries(capture.store).find(PACK)).holder_id == "car-maker"


async def test_custody_from_the_first_day_of_a_licence_is_accepted(capture: CaptureEvents) -> None:
    result = await capture.execute(
        [
            ship("s-first-day", first_moment(STARTS_ON), "car-maker", "new-recycler", PACK),
            receive("r-first-day", first_moment(STARTS_ON) + timedelta(hours=3), "new-recycler", PACK),
        ]
    )
    assert result.created == 2
    assert (await TraceQueries(capture.store).find(PACK)).holder_id == "new-recycler"
