"""How values go into columns: instants as fixed-width UTC text, id lists in chunks under SQLite's variable limit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

# Under every SQLite build's limit on bound variables (999 before 3.32); a few queries more for huge lists.
CHUNK = 900


def utc_text(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` of the instant, so comparing the text compares the time.

    A naive datetime is taken as UTC (the domain never makes one; this keeps a stray one from shifting by the
    machine's zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def chunks(values: Sequence[str]) -> Iterator[tuple[str, list[str]]]:
    """Each slice of at most ``CHUNK`` values with its ``?, ?, …`` placeholder list."""
    for start in range(0, len(values), CHUNK):
        part = list(values[start : start + CHUNK])
        yield ", ".join("?" * len(part)), part
