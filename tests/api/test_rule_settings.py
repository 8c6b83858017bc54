"""The rule settings reach the rules: TRACE_MASS_TOLERANCE and TRACE_MAX_CLOCK_SKEW_SECONDS, read from the
environment by ``Settings`` and wired by ``retrace.bootstrap``, change what POST /api/v1/events accepts.

Each case is sent twice, to an app built with the default settings and to one built with the setting changed, so a
setting that stopped reaching the rules fails here.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from retrace.api.app import create_app
from retrace.config import Settings
from tests.api.payloads import Json, commission, disassemble, lot, receive, registry, ship
from tests.world import digital_link

pytestmark = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRACE_STORE", "TRACE_MASS_TOLERANCE", "TRACE_MAX_CLOCK_SKEW_SECONDS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.setenv("TRACE_STORE", "sqlite")
    monkeypatch.setenv("TRACE_SQLITE_PATH", str(tmp_path / "trace.db"))
    return monkeypatch


@contextlib.asynccontextmanager
async def _app(environment: pytest.MonkeyPatch, **variables: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app as ``trace serve`` builds it: settings from the environment, the store opened by the lifespan."""
    for name, value in variables.items():
        environment.setenv(name, value)
    app = create_app(Settings())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://trace.test") as client,
    ):
        response = await client.post("/api/v1/registry", json=registry())
        assert response.status_code == 200, response.text
        yield client


@pytest.fixture
async def default_app(environment: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    async with _app(environment) as client:
        yield client


async def _events(client: httpx.AsyncClient, *events: Json) -> httpx.Response:
    return await client.post("/api/v1/events", json={"events": list(events)})


def _first_error_code(response: httpx.Response) -> object:
    return response.json()["error"]["details"]["errors"][0]["code"]


TV = digital_link(4242)  # the registry's TV model: 30 kg nominal


def _tv_at_the_dismantler() -> list[Json]:
    return [
        commission("c", 0, TV),
        ship("s", 1, "maker", "dismantler", TV),
        receive("r", 2, "dismantler", TV),
    ]


def _five_percent_over() -> Json:
    """31.5 kg of output from a 30 kg TV: over the default 2 %, within 10 %."""
    return disassemble("d", 3, "dismantler", TV, lot("ST-5", "steel", 20), lot("PL-5", "plastics", 11.5))


async def test_five_percent_more_output_is_refused_by_default(default_app: httpx.AsyncClient) -> None:
    assert (await _events(default_app, *_tv_at_the_dismantler())).status_code == 201
    response = await _events(default_app, _five_percent_over())
    assert response.status_code == 422, response.text
    assert _first_error_code(response) == "MASS_BALANCE_EXCEEDED"
    assert response.json()["error"]["details"]["errors"][0]["details"]["tolerance"] == "0.02"


async def test_five_percent_more_output_is_accepted_with_a_ten_percent_tolerance(
    environment: pytest.MonkeyPatch,
) -> None:
    async with _app(environment, TRACE_MASS_TOLERANCE="0.10") as client:
        assert (await _events(client, *_tv_at_the_dismantler())).status_code == 201
        # the wider tolerance still has an end: 11 % over is refused, and the answer names the setting's value
        eleven_percent_over = disassemble(
            "d-11", 3, "dismantler", TV, lot("ST-11", "steel", 20), lot("PL-11", "plastics", 13.3)
        )
        refused = await _events(client, eleven_percent_over)
        assert refused.status_code == 422, refused.text
        assert _first_error_code(refused) == "MASS_BALANCE_EXCEEDED"
        assert refused.json()["error"]["details"]["errors"][0]["details"]["tolerance"] == "0.10"
        response = await _events(client, _five_percent_over())
        assert response.status_code == 201, response.text


def _ten_minutes_ahead() -> Json:
    """A commission stamped ten minutes ahead of the server's clock (a device whose clock runs fast)."""
    event = commission("ahead", 0, digital_link(4343))
    event["event_time"] = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    return event


async def test_an_event_ten_minutes_ahead_is_refused_with_the_default_five_minute_skew(
    default_app: httpx.AsyncClient,
) -> None:
    response = await _events(default_app, _ten_minutes_ahead())
    assert response.status_code == 422, response.text
    assert _first_error_code(response) == "EVENT_TIME_IN_FUTURE"


async def test_an_event_ten_minutes_ahead_is_accepted_with_an_hour_of_skew(
    environment: pytest.MonkeyPatch,
) -> None:
    async with _app(environment, TRACE_MAX_CLOCK_SKEW_SECONDS="3600") as client:
        response = await _events(client, _ten_minutes_ahead())
        assert response.status_code == 201, response.text
