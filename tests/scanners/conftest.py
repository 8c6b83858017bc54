"""Fixtures for the scanner tests: a real server on a temporary file, a device queue, no sleeping backoff."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from retrace.scanners.outbox import OutboxQueue
from tests.api.payloads import registry
from tests.scanners.harness import Server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    started = await Server(tmp_path / "server" / "trace.db").start()
    async with started.client() as client:
        response = await client.post("/api/v1/registry", json=registry())
        assert response.status_code == 200, response.text
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[OutboxQueue]:
    with OutboxQueue(tmp_path / "device" / "outbox.db") as opened:
        yield opened


class Sleeps:
    """Records the backoff delays instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def without_id(event: dict[str, Any]) -> dict[str, Any]:
    """A test payload as a device builds it: the queue gives it its id."""
    return {k: v for k, v in event.items() if k != "event_id"}
