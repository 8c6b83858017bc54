"""Who held an object when: the chain of custody, read from its history.

A span starts when a party comes to hold the object (commissioned, created as an output, received) and ends when
custody leaves it (shipped: the span ends at the ship event; the object is then in transit until received).
Events declared erroneous are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from retrace.domain.changes import RecordedEvent
from retrace.domain.events import Receive, Ship
from retrace.domain.model import TracedObject


@dataclass(frozen=True)
class CustodySpan:
    party_id: str
    site_id: str | None
    start: datetime
    end: datetime | None  # None: still held
    start_event: str
    end_event: str | None


def custody_chain(obj: TracedObject, history: Sequence[RecordedEvent]) -> list[CustodySpan]:
    spans: list[CustodySpan] = []
    current: CustodySpan | None = None
    for record in history:
        if record.corrected_by is not None:
            continue
        event = record.event
        if obj.id in record.created_ids:
            current = CustodySpan(event.party_id, event.site_id, event.event_time, None, event.event_id, None)
        elif isinstance(event, Ship) and current is not None:
            spans.append(
                CustodySpan(
                    current.party_id,
                    current.site_id,
                    current.start,
                    event.event_time,
                    current.start_event,
                    event.event_id,
                )
            )
            current = None
        elif isinstance(event, Receive):
            if current is not None:  # a handover without a ship event
                spans.append(
                    CustodySpan(
                        current.party_id,
                        current.site_id,
                        current.start,
                        event.event_time,
                        current.start_event,
                        event.event_id,
                    )
                )
            current = CustodySpan(event.party_id, event.site_id, event.event_time, None, event.event_id, None)
    if current is not None:
        spans.append(current)
    return spans
