"""Use case: capture a batch of events.

Business rules (the API description of ``POST /api/v1/events`` is this docstring):

- A batch holds 1 to ``max_batch`` events (BATCH_TOO_LARGE beyond).  It is all-or-nothing: if any event breaks a
  rule, nothing of the batch is stored and every failing event is reported with its index, id, code and field.
- Events are applied in the order given; later events may name objects that earlier ones in the batch created.
- Idempotent by event id.  An id already stored with the same content is a replay: its first answer is returned
  (``status: replayed``) and nothing new is stored.  The same id with other content is EVENT_ID_CONFLICT.
- Two writers racing on the same object, whether both change it or one only read it to decide (the containers
  above an aggregation's parent, which the cycle check walks): the store accepts exactly one; the other batch is
  re-read and re-checked against what won (so it gets the rule's own error, e.g. DOUBLE_TREATMENT, or
  AGGREGATION_INVALID for two aggregations that together would make a cycle), up to ``retries`` times, then
  CONCURRENT_MODIFICATION.
- The server sets ``recorded_at``; it never trusts a device clock for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from retrace.app.ports import DuplicateEventId, DuplicateKey, GraphStore, StaleWrite
from retrace.app.signals import RecordedSignal
from retrace.domain import errors as codes
from retrace.domain.changes import RecordedEvent
from retrace.domain.errors import BatchRejected, BatchTooLarge, Conflict, InvalidInput, TraceError
from retrace.domain.events import (
    Aggregate,
    Associate,
    Commission,
    Correct,
    Disaggregate,
    Disassemble,
    Dispose,
    Event,
    Receive,
    Remanufacture,
    Ship,
    Transform,
    Weigh,
)
from retrace.domain.identifiers import parse_identifier
from retrace.domain.ledger import CaptureRules, Ledger
from retrace.domain.model import TracedObject


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EventOutcome:
    """What the platform answers for one event of a batch (and answers again, identically, on a replay)."""

    event_id: str
    status: str  # "created" or "replayed"
    recorded_at: datetime
    created_ids: tuple[str, ...]


@dataclass(frozen=True)
class CaptureResult:
    outcomes: list[EventOutcome]

    @property
    def created(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "created")

    @property
    def replayed(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "replayed")


@dataclass
class CaptureEvents:
    store: GraphStore
    rules: CaptureRules = field(default_factory=CaptureRules)
    clock: Callable[[], datetime] = utc_now
    max_batch: int = 1000
    retries: int = 5
    # Raised after a commit that stored new events (not for a pure replay): wakes this process's live feeds.
    signal: RecordedSignal = field(default_factory=RecordedSignal)

    async def execute(self, events: Sequence[Event]) -> CaptureResult:
        if not events:
            raise InvalidInput(
                "a batch needs at least one event",
                code=codes.VALIDATION_ERROR,
                message_zh="批次中至少需要一个事件",
                field="events",
            )
        if len(events) > self.max_batch:
            raise BatchTooLarge(
                f"a batch holds at most {self.max_batch} events, this one has {len(events)}; split it",
                message_zh=f"每批最多 {self.max_batch} 个事件，本批 {len(events)} 个，请拆分",
                field="events",
                details={"max_batch": self.max_batch, "size": len(events)},
            )
        for attempt in range(self.retries + 1):
            try:
                result = await self._attempt(events)
            except (StaleWrite, DuplicateEventId, DuplicateKey):
                if attempt == self.retries:
                    raise Conflict(
                        "another device changed the same objects at the same moment; retry",
                        code=codes.CONCURRENT_MODIFICATION,
                        message_zh="其他设备同时修改了相同物品，请重试",
                    ) from None
            else:
                if result.created:
                    self.signal.recorded()
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, events: Sequence[Event]) -> CaptureResult:
        fingerprints = [e.fingerprint() for e in events]
        stored = await self.store.get_events(list(dict.fromkeys(e.event_id for e in events)))
        errors: list[tuple[int, str, TraceError]] = []
        fresh: list[tuple[int, Event, str]] = []
        first_in_batch: dict[str, str] = {}
        for index, (event, fp) in enumerate(zip(events, fingerprints, strict=True)):
            known = stored.get(event.event_id)
            earlier = first_in_batch.get(event.event_id)
            if (known and known.fingerprint != fp) or (earlier and earlier != fp):
                errors.append(
                    (
                        index,
                        event.event_id,
                        Conflict(
                            f"event {event.event_id} was already recorded with different content",
                            code=codes.EVENT_ID_CONFLICT,
                            message_zh="相同事件编号已记录了不同内容",
                            field="event_id",
                        ),
                    )
                )
            elif known is None and earlier is None:
                first_in_batch[event.event_id] = fp
                fresh.append((index, event, fp))
        if errors:
            raise BatchRejected(errors)
        if not fresh:
            return CaptureResult([_outcome(stored[e.event_id], "replayed") for e in events])

        ledger = await self._load(event for _, event, _ in fresh)
        applied: dict[str, RecordedEvent] = {}
        for index, event, fp in fresh:
            try:
                applied[event.event_id] = ledger.apply(event, fp)
            except TraceError as e:
                errors.append((index, event.event_id, e))
        if errors:
            # The reads above are not one snapshot: if a concurrent writer stored one of these very events between
            # them, the rules saw its effects (a taken identifier) without the event.  Start again: it is a replay.
            if await self.store.get_events([event.event_id for _, event, _ in fresh]):
                raise StaleWrite("a concurrent writer stored events of this batch; reading again")
            raise BatchRejected(errors)
        await self.store.commit(ledger.change_set())
        outcomes = []
        for event in events:
            if event.event_id in applied:
                outcomes.append(_outcome(applied.pop(event.event_id), "created"))
            else:  # a replay of a stored event, or a repeat of an event earlier in this batch
                known = stored.get(event.event_id)
                outcomes.append(
                    _outcome(known, "replayed")
                    if known
                    else outcomes[next(i for i, e in enumerate(events) if e.event_id == event.event_id)]
                )
        return CaptureResult(outcomes)

    async def _load(self, events: Iterable[Event]) -> Ledger:
        """Read everything the events name, plus the containers and contents of the objects they name."""
        batch = list(events)
        keys: set[str] = set()
        party_ids: set[str] = set()
        site_ids: set[str] = set()
        model_ids: set[str] = set()
        targets: set[str] = set()
        for event in batch:
            party_ids.add(event.party_id)
            site_ids.add(event.site_id)
            for text in _named_objects(event):
                with contextlib.suppress(TraceError):  # the ledger reports it, with its field
                    keys.add(parse_identifier(text).key)
            for item in _new_items(event):
                model_ids.add(item)
            if isinstance(event, Ship):
                party_ids.add(event.to_party_id)
                if event.to_site_id:
                    site_ids.add(event.to_site_id)
            if isinstance(event, Correct):
                targets.add(event.target_event_id)
            if isinstance(event, Commission | Disassemble):
                for spec in [*getattr(event, "items", ()), *getattr(event, "parts", ())]:
                    for text in spec.identifiers:
                        with contextlib.suppress(TraceError):
                            keys.add(parse_identifier(text).key)
            if isinstance(event, Associate):  # whoever holds a new identifier already, the rules must see
                for text in event.identifiers:
                    with contextlib.suppress(TraceError):
                        keys.add(parse_identifier(text).key)
            if isinstance(event, Disassemble | Transform):
                for lot in [*getattr(event, "lots", ()), *getattr(event, "outputs", ())]:
                    with contextlib.suppress(TraceError):
                        keys.add(parse_identifier(f"internal:{lot.code}").key)

        records = await self.store.get_events(sorted(targets))
        by_key = await self.store.find_by_keys(sorted(keys))
        objects: dict[str, TracedObject] = {o.id: o for o in by_key.values()}
        touched_by_targets = {
            oid for r in records.values() for oid in [*(o.id for o in r.before), *r.created_ids]
        }
        if touched_by_targets - objects.keys():
            objects.update(await self.store.get_objects(sorted(touched_by_targets - objects.keys())))
        # Containers above and contents below, so moves, cycles and releases are checked against the real graph.
        pending = {o.parent_id for o in objects.values() if o.parent_id} - objects.keys()
        while pending:
            found = await self.store.get_objects(sorted(pending))
            objects.update(found)
            pending = {o.parent_id for o in found.values() if o.parent_id} - objects.keys()
        children: dict[str, set[str]] = {}
        frontier = sorted(objects)
        while frontier:
            kids = await self.store.children_of(frontier)
            new_ids: set[str] = set()
            for parent, child_ids in kids.items():
                children.setdefault(parent, set()).update(child_ids)
                new_ids.update(c for c in child_ids if c not in objects)
            if new_ids:
                objects.update(await self.store.get_objects(sorted(new_ids)))
            frontier = sorted(new_ids)
        party_ids.update(o.holder_id for o in objects.values() if o.holder_id)
        # The models of the objects too: flow records carry the element content of items (docs/rates.md).
        model_ids.update(o.model_id for o in objects.values() if o.model_id)
        parties = await self.store.get_parties(sorted(party_ids))
        return Ledger(
            now=self.clock(),
            rules=self.rules,
            objects=objects,
            keys={key: o.id for o in objects.values() for key in o.keys},
            parties=parties,
            sites=await self.store.get_sites(sorted(site_ids)),
            models=await self.store.get_models(sorted(model_ids)),
            licences=await self.store.get_licences(sorted(parties)),
            children=children,
            records=dict(records),
        )


def _named_objects(event: Event) -> list[str]:
    match event:
        case Ship() | Receive() | Remanufacture() | Dispose():
            return list(event.objects)
        case Weigh() | Disassemble() | Associate():
            return [event.object]
        case Aggregate() | Disaggregate():
            return [event.parent, *event.children]
        case Transform():
            return list(event.inputs)
    return []


def _new_items(event: Event) -> list[str]:
    if isinstance(event, Commission):
        return [i.model_id for i in event.items]
    if isinstance(event, Disassemble):
        return [p.model_id for p in event.parts]
    return []


def _outcome(record: RecordedEvent, status: str) -> EventOutcome:
    return EventOutcome(record.event_id, status, record.recorded_at, record.created_ids)
