"""Apply a data set to one pure ``Ledger`` holding everything: every capture rule, no store, in seconds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from retrace.app.registry import Registration
from retrace.domain.changes import ChangeSet
from retrace.domain.errors import TraceError
from retrace.domain.events import Event
from retrace.domain.ledger import CaptureRules, Ledger
from retrace.domain.model import Licence

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def replay(registration: Registration, events: Iterable[Event]) -> tuple[Ledger, ChangeSet, list[str]]:
    """The ledger after ``events``, what they changed, and one line per refused event."""
    licences: dict[str, list[Licence]] = {}
    for lic in registration.licences:
        licences.setdefault(lic.party_id, []).append(lic)
    ledger = Ledger(
        now=NOW, rules=CaptureRules(), objects={}, keys={},
        parties={p.id: p for p in registration.parties}, sites={s.id: s for s in registration.sites},
        models={m.id: m for m in registration.models}, licences=licences, children={}, records={},
    )  # fmt: skip
    errors: list[str] = []
    for event in events:
        try:
            ledger.apply(event, event.fingerprint())
        except TraceError as e:
            errors.append(f"{event.event_id} {event.type}: {e.code} at {e.field}: {e.message}")
    return ledger, ledger.change_set(), errors
