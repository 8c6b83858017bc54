"""The rules of capture: apply events to a working copy of the graph, or refuse them with a stable code.

``Ledger`` is pure.  The application layer loads into it every object, party, site, licence, model and earlier event
a batch names (and the containers and contents of those objects); the ledger then applies the batch's events in
order, each one validated completely before anything of it changes, and hands back a ``ChangeSet``.  An event that
fails changes nothing; the caller decides whether the batch as a whole is refused (it is, by default).

The decision rests on what was read, and another writer may change that before the batch is stored.  So the
``ChangeSet`` carries the version of every stored object a committed event consulted: the ones it changes (as
``ObjectUpdate.expected_version``) and the ones it only read (``read_versions``, e.g. the containers above an
aggregation's parent, which its cycle check walks).  Reading a container's contents is reading the container: every
event that changes what is inside an object changes that object too (aggregate, disaggregate and disassemble change
the container; a correction restores it), so its version moves with its contents.  Master data (parties, licences,
sites, models) has no version: a capture that races a change of registration counts as made before it.

Rules (brief §7), each with its code from ``errors``:

- identifiers must parse (INVALID_IDENTIFIER) and name a known object (OBJECT_NOT_FOUND); a new identifier must be
  free (IDENTIFIER_TAKEN), and one an item is given later not one it already carries (ALREADY_ASSOCIATED); the
  party, site and product model must exist (PARTY/SITE/MODEL_NOT_FOUND);
- nothing happens to an object after a terminal state (OBJECT_TERMINAL), and an item is dismantled or consumed only
  once (DOUBLE_TREATMENT);
- outputs of a disassembly or transformation weigh at most the inputs (for a transformation, with the reagents
  it declares) times ``1 + mass_tolerance`` (MASS_BALANCE_EXCEEDED);
- custody goes only to a party that holds a licence valid for the object's stream on the event day, when its roles
  need one (LICENCE_INVALID); only the holder ships or treats (NOT_HOLDER); a shipment is received by the party it
  was shipped to (NOT_IN_TRANSIT_TO_PARTY); what a party already holds is not received again (ALREADY_HELD);
- event times lie at most ``max_clock_skew`` in the future (EVENT_TIME_IN_FUTURE) and not before the object existed
  (EVENT_BEFORE_OBJECT);
- aggregation makes no cycles and takes no child that is already inside another container (AGGREGATION_INVALID);
- a correction names a recorded event (EVENT_NOT_FOUND), once (ALREADY_CORRECTED), and only while the objects it
  changed have not changed since (CORRECTION_NOT_LATEST).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from retrace.domain import errors as codes
from retrace.domain.apportion import allocate_reagents, by_stream, stream_mix
from retrace.domain.changes import (
    ChangeSet,
    Direction,
    FlowRecord,
    LineageLink,
    LinkKind,
    ObjectUpdate,
    RecordedEvent,
    Stage,
)
from retrace.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation, TraceError
from retrace.domain.events import (
    Aggregate,
    Associate,
    Commission,
    Correct,
    Disaggregate,
    Disassemble,
    Dispose,
    Event,
    NewItem,
    NewLot,
    Receive,
    Remanufacture,
    Ship,
    Transform,
    Weigh,
)
from retrace.domain.identifiers import InternalCode, parse_identifier
from retrace.domain.model import (
    LICENSED_ROLES,
    TREATED,
    Fate,
    Licence,
    ObjectKind,
    Party,
    ProductModel,
    Role,
    Site,
    Status,
    Stream,
    TracedObject,
    kg,
)
from retrace.domain.rates.materials import as_pairs, composition_elements, lot_elements

_OBJECT_NAMESPACE = uuid.UUID("6b1d0c3e-2f41-4d8e-9a57-0c1e5b7d9f20")

# The records that enter a mass balance: reagent mass an object holds is written beside them.
_BALANCED = frozenset({Direction.PRODUCED, Direction.CONSUMED, Direction.DISPOSED, Direction.REMANUFACTURED})


def object_id_for(event_id: str, index: int) -> str:
    """The id of the ``index``-th object an event creates: derived, so a replay or another store gives the same."""
    return str(uuid.uuid5(_OBJECT_NAMESPACE, f"{event_id}#{index}"))


def _after_transit(obj: TracedObject) -> Status:
    """What an object is once received: a remanufactured engine stays remanufactured on its way to a buyer."""
    return Status.REMANUFACTURED if obj.remanufactured else Status.ACTIVE


@dataclass(frozen=True)
class CaptureRules:
    """The settings the rules read; documented in ``docs/rules.md``."""

    mass_tolerance: Decimal = Decimal("0.02")  # outputs may exceed inputs by 2 % (scale error, moisture)
    max_clock_skew: timedelta = timedelta(minutes=5)


@dataclass
class Ledger:
    """A working copy of the part of the graph a batch touches."""

    now: datetime
    rules: CaptureRules
    objects: dict[str, TracedObject]
    keys: dict[str, str]  # identifier key → object id, for the objects loaded
    parties: dict[str, Party]
    sites: dict[str, Site]
    models: dict[str, ProductModel]
    licences: dict[str, list[Licence]]  # by party id
    children: dict[str, set[str]]  # current container → contents, for the objects loaded
    records: dict[str, RecordedEvent]  # earlier events a correction may name

    def __post_init__(self) -> None:
        self._original_versions = {oid: o.version for oid, o in self.objects.items()}
        self._created: set[str] = set()
        self._read: set[str] = set()  # objects the applied events consulted
        self._changes = ChangeSet()

    # -- public ----------------------------------------------------------------------------------------------

    def apply(self, event: Event, fingerprint: str) -> RecordedEvent:
        """Apply one event or raise its error; on error nothing of the event is kept."""
        step = _Step(self, event)
        try:
            step.run()
        except TraceError:
            raise
        step.commit(fingerprint)
        return self._changes.records[-1]

    def change_set(self) -> ChangeSet:
        """Everything applied so far, with each object once, in its final state."""
        changes = self._changes
        changes.new_objects = [self.objects[oid] for oid in sorted(self._created)]
        changes.updates = [
            ObjectUpdate(self.objects[oid], version)
            for oid, version in sorted(self._original_versions.items())
            if self.objects[oid].version != version
        ]
        changed = {u.object.id for u in changes.updates}
        # Objects made by this batch are not in ``_original_versions``: their ids and keys are unique in the store.
        changes.read_versions = {
            oid: self._original_versions[oid]
            for oid in sorted(self._read - changed)
            if oid in self._original_versions
        }
        return changes


class _Step:
    """One event being applied: reads from the ledger, stages its changes, writes them only in ``commit``."""

    def __init__(self, ledger: Ledger, event: Event) -> None:
        self.ledger = ledger
        self.event = event
        self.staged: dict[str, TracedObject] = {}
        self.created: list[str] = []
        self.before: dict[str, TracedObject] = {}
        self.new_keys: dict[str, str] = {}
        self.child_moves: list[tuple[str, str | None, str | None]] = []  # (child, old parent, new parent)
        self.links: list[LineageLink] = []
        self.flows: list[FlowRecord] = []
        self.roles: list[tuple[str, str]] = []
        self.correction_target: str | None = None
        self.read: set[str] = set()  # every object this event's rules looked at (kept only if the event is)

    # -- reading ---------------------------------------------------------------------------------------------

    def get(self, object_id: str) -> TracedObject:
        """The object as this event sees it; every rule reads objects through here, so each read is recorded."""
        self.read.add(object_id)
        return self.staged.get(object_id) or self.ledger.objects[object_id]

    def resolve(self, text: str, field: str) -> TracedObject:
        try:
            key = parse_identifier(text).key
        except TraceError as e:
            raise e.at_field(field) from None
        object_id = self.new_keys.get(key) or self.ledger.keys.get(key)
        if object_id is None:
            raise NotFound(
                f"no object is known by {text!r}",
                code=codes.OBJECT_NOT_FOUND,
                message_zh=f"找不到标识为 {text!r} 的物品",
                field=field,
                details={"identifier": text},
            )
        obj = self.get(object_id)
        if self.event.event_time < obj.created_at:
            raise RuleViolation(
                f"event_time {self.event.event_time.isoformat()} is before {text!r} existed "
                f"({obj.created_at.isoformat()})",
                code=codes.EVENT_BEFORE_OBJECT,
                message_zh="事件时间早于物品产生时间",
                field="event_time",
                details={"identifier": text, "created_at": obj.created_at.isoformat()},
            )
        return obj

    def resolve_all(self, texts: Sequence[str], field: str) -> list[TracedObject]:
        seen: set[str] = set()
        out = []
        for i, text in enumerate(texts):
            obj = self.resolve(text, f"{field}[{i}]")
            if obj.id in seen:
                raise InvalidInput(
                    f"{text!r} is named twice",
                    code=codes.VALIDATION_ERROR,
                    message_zh="同一物品在事件中出现两次",
                    field=f"{field}[{i}]",
                )
            seen.add(obj.id)
            out.append(obj)
        return out

    def live(self, obj: TracedObject, field: str) -> None:
        if obj.terminal:
            raise Conflict(
                f"{obj.id} is {obj.status.value}: nothing more can happen to it",
                code=codes.OBJECT_TERMINAL,
                message_zh=f"物品已处于终态（{obj.status.value}），不能再记录事件",
                field=field,
                details={"object_id": obj.id, "status": obj.status.value},
            )

    def loose(self, obj: TracedObject, field: str) -> None:
        """Treating or disposing of something still inside a container would let the container carry it on."""
        if obj.parent_id is not None:
            raise Conflict(
                f"{obj.id} is inside {obj.parent_id}; disassemble or disaggregate the container first",
                code=codes.AGGREGATION_INVALID,
                message_zh="物品仍在容器内，请先拆解或拆分容器",
                field=field,
                details={"object_id": obj.id, "parent_id": obj.parent_id},
            )

    def treatable(self, obj: TracedObject, field: str) -> None:
        """Dismantling or consuming twice is the subsidy fraud pattern: its own code."""
        if obj.status in TREATED:
            raise Conflict(
                f"{obj.id} was already {obj.status.value} by event {obj.last_event_id}",
                code=codes.DOUBLE_TREATMENT,
                message_zh="该物品已被拆解或利用，不能重复处理",
                field=field,
                details={"object_id": obj.id, "status": obj.status.value, "by": obj.last_event_id},
            )
        self.live(obj, field)

    def held_by_actor(self, obj: TracedObject, field: str) -> None:
        if obj.status is Status.IN_TRANSIT:
            raise Conflict(
                f"{obj.id} is in transit to {obj.in_transit_to}; receive it first",
                code=codes.NOT_HOLDER,
                message_zh="物品在途，须先接收",
                field=field,
                details={"object_id": obj.id, "in_transit_to": obj.in_transit_to},
            )
        if obj.holder_id != self.event.party_id:
            raise Conflict(
                f"{self.event.party_id} does not hold {obj.id} (held by {obj.holder_id})",
                code=codes.NOT_HOLDER,
                message_zh="操作方不是该物品的当前持有方",
                field=field,
                details={"object_id": obj.id, "holder_id": obj.holder_id},
            )

    def party(self, party_id: str, field: str) -> Party:
        party = self.ledger.parties.get(party_id)
        if party is None:
            raise NotFound(
                f"party {party_id!r} is not registered",
                code=codes.PARTY_NOT_FOUND,
                message_zh=f"未登记的主体 {party_id!r}",
                field=field,
            )
        return party

    def site(self, site_id: str, field: str) -> Site:
        site = self.ledger.sites.get(site_id)
        if site is None:
            raise NotFound(
                f"site {site_id!r} is not registered",
                code=codes.SITE_NOT_FOUND,
                message_zh=f"未登记的场地 {site_id!r}",
                field=field,
            )
        return site

    def licensed(self, party: Party, stream: Stream, field: str) -> None:
        if not party.roles & LICENSED_ROLES:
            return
        if any(lic.covers(stream, self.event.event_time) for lic in self.ledger.licences.get(party.id, [])):
            return
        raise RuleViolation(
            f"{party.id} holds no licence for {stream.value} valid on {self.event.event_time.date()}",
            code=codes.LICENCE_INVALID,
            message_zh=f"{party.name_zh or party.id} 没有在该日期有效的 {stream.value} 资质",
            field=field,
            details={"party_id": party.id, "stream": stream.value},
        )

    def descendants(self, object_id: str) -> list[str]:
        out: list[str] = []
        stack = [object_id]
        while stack:
            for child in sorted(self.current_children(stack.pop())):
                if self.get(child).terminal:
                    continue  # what ended inside a container stays where it ended
                out.append(child)
                stack.append(child)
        return out

    def current_children(self, object_id: str) -> set[str]:
        self.read.add(object_id)  # contents are part of the container's state (its version moves with them)
        kids = set(self.ledger.children.get(object_id, set()))
        for child, old, new in self.child_moves:
            if old == object_id:
                kids.discard(child)
            if new == object_id:
                kids.add(child)
        return kids

    # -- staging ---------------------------------------------------------------------------------------------

    def change(self, obj: TracedObject, **fields: Any) -> TracedObject:
        if obj.id not in self.before and obj.id not in self.created:
            self.before[obj.id] = self.ledger.objects[obj.id]
        updated = dataclasses.replace(
            obj, version=obj.version + 1, last_event_id=self.event.event_id, **fields
        )
        self.staged[obj.id] = updated
        return updated

    def create(self, obj: TracedObject, keys_text: Iterable[tuple[str, str]], field: str) -> None:
        for key, text in keys_text:
            if key in self.new_keys or key in self.ledger.keys:
                raise Conflict(
                    f"identifier {text!r} is already in use",
                    code=codes.IDENTIFIER_TAKEN,
                    message_zh=f"标识 {text!r} 已被使用",
                    field=field,
                    details={"identifier": text},
                )
            self.new_keys[key] = obj.id
        self.staged[obj.id] = obj
        self.created.append(obj.id)

    def flow(
        self,
        obj: TracedObject,
        direction: Direction,
        site_id: str,
        *,
        stage: Stage | None = None,
        model_id: str | None = None,
        stream: Stream | None = None,
        prior_fate: Fate | None = None,
        counterparty_id: str | None = None,
        value_cny: int = 0,
    ) -> None:
        """Record mass moving at ``site_id``; ``model_id`` and ``stream`` default to the object's own.

        Reagent mass the object holds goes with every record that enters a mass balance (a ``reagent`` record
        beside it), and the records of a lot made from several streams are split among them (``apportion``)."""
        record = FlowRecord(
            event_id=self.event.event_id,
            site_id=site_id,
            party_id=self.event.party_id,
            event_time=self.event.event_time,
            direction=direction,
            stream=stream or obj.stream,
            material=obj.flow_material,
            fate=obj.fate.value if obj.fate else None,
            mass_g=obj.mass_g,
            object_id=obj.id,
            stage=stage,
            model_id=model_id or obj.model_id,
            origin_site_id=obj.origin_site_id,
            origin_at=obj.origin_at,
            prior_fate=prior_fate.value if prior_fate else None,
            counterparty_id=counterparty_id,
            value_cny=value_cny,
            elements_g=self.elements(obj),
        )
        records = [record]
        if obj.reagent_g and direction in _BALANCED:
            records.append(
                dataclasses.replace(
                    record,
                    direction=Direction.REAGENT,
                    mass_g=min(obj.reagent_g, obj.mass_g),
                    value_cny=0,
                    elements_g=(),  # the element content is the object's, on its own record
                )
            )
        for one in records:
            if stream is None and obj.stream_mix:
                self.flows.extend(by_stream(one, obj.stream_mix))
            else:
                self.flows.append(one)

    def elements(self, obj: TracedObject) -> tuple[tuple[str, int], ...]:
        """Tracked element content: an item's from its model's composition, a lot's from its assay and material."""
        if obj.kind is ObjectKind.LOT:
            return as_pairs(lot_elements(obj.flow_material, obj.mass_g, obj.composition_g))
        model = self.ledger.models.get(obj.model_id or "")
        return as_pairs(composition_elements(model.composition_g)) if model else ()

    def consumed_stage(self, obj: TracedObject) -> Stage:
        return Stage.ENTRY if obj.origin_site_id is None else Stage.INTERMEDIATE

    def origin(self) -> dict[str, Any]:
        """What an object produced by this event records about where and when it came out of treatment."""
        return {"origin_site_id": self.event.site_id, "origin_at": self.event.event_time}

    def new_item(self, spec: NewItem, index: int, field: str, **state: object) -> TracedObject:
        model = self.ledger.models.get(spec.model_id)
        if model is None:
            raise NotFound(
                f"product model {spec.model_id!r} is not registered",
                code=codes.MODEL_NOT_FOUND,
                message_zh=f"未登记的产品型号 {spec.model_id!r}",
                field=f"{field}.model_id",
            )
        parsed = []
        for j, text in enumerate(spec.identifiers):
            try:
                parsed.append(parse_identifier(text))
            except TraceError as e:
                raise e.at_field(f"{field}.identifiers[{j}]") from None
        obj = TracedObject(
            id=object_id_for(self.event.event_id, index),
            kind=ObjectKind.ITEM,
            keys=tuple(dict.fromkeys(p.key for p in parsed)),
            identifiers=tuple((p.scheme.value, p.value) for p in parsed),
            stream=model.stream,
            mass_g=spec.mass_g if spec.mass_g is not None else model.nominal_mass_g,
            status=Status.ACTIVE,
            created_at=self.event.event_time,
            created_by_event=self.event.event_id,
            holder_id=self.event.party_id,
            site_id=self.event.site_id,
            model_id=model.id,
            category=model.category,
            fate=spec.fate,
            last_event_id=self.event.event_id,
            **state,  # type: ignore[arg-type]
        )
        self.create(obj, zip(obj.keys, spec.identifiers, strict=False), f"{field}.identifiers")
        return obj

    def new_lot(self, spec: NewLot, index: int, stream: Stream, field: str, **state: object) -> TracedObject:
        try:
            code = InternalCode.parse(spec.code)
        except TraceError as e:
            raise e.at_field(f"{field}.code") from None
        obj = TracedObject(
            id=object_id_for(self.event.event_id, index),
            kind=ObjectKind.LOT,
            keys=(code.key,),
            identifiers=((code.scheme.value, code.value),),
            stream=stream,
            mass_g=spec.mass_g,
            status=Status.ACTIVE,
            created_at=self.event.event_time,
            created_by_event=self.event.event_id,
            holder_id=self.event.party_id,
            site_id=self.event.site_id,
            material=spec.material.strip().lower(),
            fate=spec.fate,
            last_event_id=self.event.event_id,
            composition_g=spec.composition_g,
            **self.origin(),
            **state,  # type: ignore[arg-type]
        )
        self.create(obj, [(code.key, spec.code)], f"{field}.code")
        return obj

    def mass_balance(self, inputs_g: int, outputs_g: int, reagents_g: int = 0) -> None:
        """Outputs weigh at most the inputs and the declared reagents, times ``1 + mass_tolerance``."""
        allowed = Decimal(inputs_g + reagents_g) * (1 + self.ledger.rules.mass_tolerance)
        if outputs_g > allowed:
            went_in = f"{kg(inputs_g + reagents_g)} kg that went in"
            details: dict[str, Any] = {
                "input_kg": kg(inputs_g),
                "output_kg": kg(outputs_g),
                "tolerance": str(self.ledger.rules.mass_tolerance),
            }
            if reagents_g:
                went_in += f" ({kg(reagents_g)} kg of it reagents)"
                details["reagents_kg"] = kg(reagents_g)
            raise RuleViolation(
                f"outputs weigh {kg(outputs_g)} kg, more than the {went_in} "
                f"(tolerance {self.ledger.rules.mass_tolerance * 100}%)",
                code=codes.MASS_BALANCE_EXCEEDED,
                message_zh="产出质量超过投入质量（超出允许误差）",
                field="outputs",
                details=details,
            )

    # -- the rules -------------------------------------------------------------------------------------------

    def run(self) -> None:
        event = self.event
        ledger = self.ledger
        if event.event_time > ledger.now + ledger.rules.max_clock_skew:
            raise RuleViolation(
                f"event_time {event.event_time.isoformat()} is in the future (server time {ledger.now.isoformat()})",
                code=codes.EVENT_TIME_IN_FUTURE,
                message_zh="事件时间晚于服务器时间",
                field="event_time",
                details={"server_time": ledger.now.isoformat()},
            )
        self.party(event.party_id, "party_id")
        self.site(event.site_id, "site_id")
        handler = getattr(self, f"_on_{event.type}")
        handler(event)

    def _on_commission(self, event: Commission) -> None:
        party = self.party(event.party_id, "party_id")
        # A producer tagging a unit places it on the market; a collector or recycler tagging one takes it back.
        stage = (
            Stage.PLACED_ON_MARKET
            if Role.PRODUCER in party.roles
            else Stage.COLLECTED
            if party.roles & LICENSED_ROLES
            else None
        )
        for i, spec in enumerate(event.items):
            obj = self.new_item(spec, i, f"items[{i}]")
            self.licensed(party, obj.stream, "party_id")  # a collector tagging waste takes custody of it
            self.roles.append((obj.id, "output"))
            self.flow(obj, Direction.COMMISSIONED, event.site_id, stage=stage)

    def _on_ship(self, event: Ship) -> None:
        to_party = self.party(event.to_party_id, "to_party_id")
        if event.to_site_id is not None:
            self.site(event.to_site_id, "to_site_id")
        for i, obj in enumerate(self.resolve_all(event.objects, "objects")):
            field = f"objects[{i}]"
            self.live(obj, field)
            self.held_by_actor(obj, field)
            if obj.parent_id is not None:
                raise Conflict(
                    f"{obj.id} is inside {obj.parent_id}; ship the container or disaggregate first",
                    code=codes.AGGREGATION_INVALID,
                    message_zh="物品在容器内，请发运容器或先拆分",
                    field=field,
                )
            for stream in obj.streams:  # a lot made from several streams needs a licence for each
                self.licensed(to_party, stream, "to_party_id")
            self.flow(obj, Direction.SHIPPED, obj.site_id or event.site_id, counterparty_id=to_party.id)
            self.roles.append((obj.id, "subject"))
            for moved in [obj.id, *self.descendants(obj.id)]:
                self.change(self.get(moved), status=Status.IN_TRANSIT, in_transit_to=to_party.id)
                if moved != obj.id:
                    self.roles.append((moved, "contained"))

    def _on_receive(self, event: Receive) -> None:
        receiver = self.party(event.party_id, "party_id")
        for i, obj in enumerate(self.resolve_all(event.objects, "objects")):
            field = f"objects[{i}]"
            self.live(obj, field)
            if obj.status is Status.IN_TRANSIT and obj.in_transit_to != receiver.id:
                raise Conflict(
                    f"{obj.id} was shipped to {obj.in_transit_to}, not to {receiver.id}",
                    code=codes.NOT_IN_TRANSIT_TO_PARTY,
                    message_zh="该物品发往其他主体",
                    field=field,
                    details={"in_transit_to": obj.in_transit_to},
                )
            if obj.status is not Status.IN_TRANSIT and obj.holder_id == receiver.id:
                raise Conflict(
                    f"{receiver.id} already holds {obj.id}",
                    code=codes.ALREADY_HELD,
                    message_zh="该物品已在本主体手中",
                    field=field,
                )
            if obj.parent_id is not None:
                raise Conflict(
                    f"{obj.id} is inside {obj.parent_id}; receive the container",
                    code=codes.AGGREGATION_INVALID,
                    message_zh="物品在容器内，请接收容器",
                    field=field,
                )
            for stream in obj.streams:
                self.licensed(receiver, stream, "party_id")
            self.roles.append((obj.id, "subject"))
            sender_id = obj.holder_id
            sender = self.ledger.parties.get(sender_id or "")
            # Collected: custody passes into the licensed chain from an owner or a producer.  A carrier in between
            # is not a collection (nor is a hand-over between licensed parties).
            collected = (
                bool(receiver.roles & LICENSED_ROLES)
                and sender is not None
                and not sender.roles & (LICENSED_ROLES | {Role.LOGISTICS})
            )
            for moved in [obj.id, *self.descendants(obj.id)]:
                current = self.get(moved)
                self.change(
                    current,
                    status=_after_transit(current) if current.status is Status.IN_TRANSIT else current.status,
                    holder_id=receiver.id,
                    site_id=event.site_id,
                    in_transit_to=None,
                )
                if moved != obj.id:
                    self.roles.append((moved, "contained"))
            self.flow(
                self.get(obj.id),
                Direction.RECEIVED,
                event.site_id,
                stage=Stage.COLLECTED if collected else None,
                counterparty_id=sender_id,
            )

    def _on_weigh(self, event: Weigh) -> None:
        obj = self.resolve(event.object, "object")
        self.live(obj, "object")
        self.held_by_actor(obj, "object")
        self.roles.append((obj.id, "subject"))
        # Reagent mass cannot exceed the mass of what holds it.
        self.change(obj, mass_g=event.mass_g, reagent_g=min(obj.reagent_g, event.mass_g))

    def _on_associate(self, event: Associate) -> None:
        item = self.resolve(event.object, "object")
        self.live(item, "object")
        self.held_by_actor(item, "object")  # only who has the item in hand can fix a tag to it
        if item.kind is not ObjectKind.ITEM:
            raise InvalidInput(
                "only items take new identifiers; a lot is known by its code",
                code=codes.VALIDATION_ERROR,
                message_zh="只有单件物品可以关联新标识，批次以批次号标识",
                field="object",
            )
        added: dict[str, tuple[str, str]] = {}  # key → (scheme, value), in the order given
        for j, text in enumerate(event.identifiers):
            field = f"identifiers[{j}]"
            try:
                parsed = parse_identifier(text)
            except TraceError as e:
                raise e.at_field(field) from None
            owner = self.new_keys.get(parsed.key) or self.ledger.keys.get(parsed.key)
            if owner == item.id:
                raise Conflict(
                    f"{item.id} already carries {text!r}",
                    code=codes.ALREADY_ASSOCIATED,
                    message_zh=f"该物品已带有标识 {text!r}",
                    field=field,
                    details={"identifier": text, "object_id": item.id},
                )
            if owner is not None:
                raise Conflict(
                    f"identifier {text!r} is already in use",
                    code=codes.IDENTIFIER_TAKEN,
                    message_zh=f"标识 {text!r} 已被使用",
                    field=field,
                    details={"identifier": text},
                )
            if parsed.key in added:  # two forms of one code (an SGTIN as URN and as hex) are one identifier
                raise InvalidInput(
                    f"{text!r} is named twice",
                    code=codes.VALIDATION_ERROR,
                    message_zh="同一标识在事件中出现两次",
                    field=field,
                )
            added[parsed.key] = (parsed.scheme.value, parsed.value)
        self.roles.append((item.id, "subject"))
        # Appended after those it had, so the first of each kind (what a label or EPCIS picks among one kind) stays.
        self.change(item, keys=(*item.keys, *added), identifiers=(*item.identifiers, *added.values()))
        self.new_keys.update(dict.fromkeys(added, item.id))

    def _on_aggregate(self, event: Aggregate) -> None:
        parent = self.resolve(event.parent, "parent")
        self.live(parent, "parent")
        self.held_by_actor(parent, "parent")
        ancestors = self._ancestors(parent.id)
        self.roles.append((parent.id, "parent"))
        # The container changes too: a concurrent ship of it must lose, and its earlier events are no longer latest.
        self.change(parent)
        for i, child in enumerate(self.resolve_all(event.children, "children")):
            field = f"children[{i}]"
            self.live(child, field)
            self.held_by_actor(child, field)
            if child.id == parent.id or child.id in ancestors:
                raise Conflict(
                    f"putting {child.id} into {parent.id} would make a cycle",
                    code=codes.AGGREGATION_INVALID,
                    message_zh="聚合关系不能成环",
                    field=field,
                )
            if child.parent_id is not None:
                raise Conflict(
                    f"{child.id} is already inside {child.parent_id}",
                    code=codes.AGGREGATION_INVALID,
                    message_zh="该物品已在其他容器内",
                    field=field,
                )
            self.change(child, parent_id=parent.id)
            self.child_moves.append((child.id, None, parent.id))
            self.links.append(LineageLink(parent.id, child.id, LinkKind.CONTAINS, event.event_id))
            self.roles.append((child.id, "child"))

    def _ancestors(self, object_id: str) -> set[str]:
        out: set[str] = set()
        current = self.get(object_id).parent_id
        while current is not None and current not in out:
            out.add(current)
            current = (
                self.get(current).parent_id
                if current in self.ledger.objects or current in self.staged
                else None
            )
        return out

    def _on_disaggregate(self, event: Disaggregate) -> None:
        parent = self.resolve(event.parent, "parent")
        self.live(parent, "parent")
        self.held_by_actor(parent, "parent")
        self.roles.append((parent.id, "parent"))
        self.change(parent)
        for i, child in enumerate(self.resolve_all(event.children, "children")):
            if child.parent_id != parent.id:
                raise Conflict(
                    f"{child.id} is not inside {parent.id}",
                    code=codes.AGGREGATION_INVALID,
                    message_zh="该物品不在此容器内",
                    field=f"children[{i}]",
                )
            self.change(child, parent_id=None)
            self.child_moves.append((child.id, parent.id, None))
            self.roles.append((child.id, "child"))

    def _on_disassemble(self, event: Disassemble) -> None:
        item = self.resolve(event.object, "object")
        self.treatable(item, "object")
        self.loose(item, "object")
        self.held_by_actor(item, "object")
        if item.kind is not ObjectKind.ITEM:
            raise InvalidInput(
                "only items are disassembled; lots are transformed",
                code=codes.VALIDATION_ERROR,
                message_zh="只有单件物品可以拆解，批次请用转化",
                field="object",
            )
        self.roles.append((item.id, "input"))
        consumed = self.consumed_stage(item)
        self.flow(item, Direction.CONSUMED, event.site_id, stage=consumed)
        # Outputs count for the model of the item taken apart (a vehicle's engine is part of the vehicle's yield).
        made = Stage.PRIMARY if consumed is Stage.ENTRY else Stage.SECONDARY
        released = [self.get(c) for c in sorted(self.current_children(item.id))]
        output_g = sum(c.mass_g for c in released)
        index = 0
        for i, spec in enumerate(event.parts):
            part = self.new_item(spec, index, f"parts[{i}]", **self.origin())
            index += 1
            output_g += part.mass_g
            self.links.append(
                LineageLink(item.id, part.id, LinkKind.DISASSEMBLED_INTO, event.event_id, part.mass_g)
            )
            self.roles.append((part.id, "output"))
            self.flow(part, Direction.PRODUCED, event.site_id, stage=made, model_id=item.model_id)
        for i, lot_spec in enumerate(event.lots):
            lot = self.new_lot(lot_spec, index, item.stream, f"lots[{i}]")
            index += 1
            output_g += lot.mass_g
            self.links.append(
                LineageLink(item.id, lot.id, LinkKind.DISASSEMBLED_INTO, event.event_id, lot.mass_g)
            )
            self.roles.append((lot.id, "output"))
            self.flow(lot, Direction.PRODUCED, event.site_id, stage=made, model_id=item.model_id)
        for child in released:
            self.child_moves.append((child.id, item.id, None))
            self.roles.append((child.id, "output"))
            if child.stream is item.stream:
                out = self.change(child, parent_id=None, **self.origin())
                self.flow(out, Direction.PRODUCED, event.site_id, stage=made, model_id=item.model_id)
            else:
                # A traction pack out of a vehicle: an output of the vehicle's treatment, and a unit that has yet
                # to enter the treatment of its own stream.
                out = self.change(child, parent_id=None)
                self.flow(
                    out,
                    Direction.PRODUCED,
                    event.site_id,
                    stage=Stage.TRANSFER,
                    model_id=item.model_id,
                    stream=item.stream,
                )
        self.mass_balance(item.mass_g, output_g)
        self.change(self.get(item.id), status=Status.DISMANTLED)

    def _on_transform(self, event: Transform) -> None:
        inputs = self.resolve_all(event.inputs, "inputs")
        for i, obj in enumerate(inputs):
            field = f"inputs[{i}]"
            self.treatable(obj, field)
            self.loose(obj, field)
            self.held_by_actor(obj, field)
            if self.current_children(obj.id):
                raise Conflict(
                    f"{obj.id} still contains items; disassemble or disaggregate it first",
                    code=codes.AGGREGATION_INVALID,
                    message_zh="投入物仍含有子项，请先拆解或拆分",
                    field=field,
                )
            self.roles.append((obj.id, "input"))
            self.flow(obj, Direction.CONSUMED, event.site_id, stage=self.consumed_stage(obj))
        made = (
            Stage.PRIMARY
            if all(self.consumed_stage(obj) is Stage.ENTRY for obj in inputs)
            else Stage.SECONDARY
        )
        models = {obj.model_id for obj in inputs}
        source_model = models.pop() if len(models) == 1 else None  # a mixed batch counts for no one model
        # Inputs of several streams: every output is split among them by input mass (docs/rates.md).
        stream, mix = stream_mix(inputs)
        input_g = sum(obj.mass_g for obj in inputs)
        declared = event.reagents_g or 0
        # Reagents the inputs already hold (a sulfate dissolved again) stay in the outputs only as far as their
        # mass needs them beyond the declared reagents and the traced input; the rest left with the process (its
        # water evaporated, its sulfate went to waste water).
        carried = sum(min(obj.reagent_g, obj.mass_g) for obj in inputs)
        planned_g = sum(spec.mass_g for spec in event.outputs)
        kept = min(carried, max(0, planned_g - declared - (input_g - carried)))
        reagents = allocate_reagents(declared + kept, [(spec.mass_g, spec.fate) for spec in event.outputs])
        output_g = 0
        for i, spec in enumerate(event.outputs):
            lot = self.new_lot(spec, i, stream, f"outputs[{i}]", reagent_g=reagents[i], stream_mix=mix)
            output_g += lot.mass_g
            for obj in inputs:
                # Each input contributes to each output in proportion to its share of the input mass.
                share = (lot.mass_g * obj.mass_g // input_g) if input_g else 0
                self.links.append(
                    LineageLink(obj.id, lot.id, LinkKind.TRANSFORMED_INTO, event.event_id, share)
                )
            self.roles.append((lot.id, "output"))
            self.flow(lot, Direction.PRODUCED, event.site_id, stage=made, model_id=source_model)
        self.mass_balance(input_g, output_g, declared)
        for obj in inputs:
            self.change(self.get(obj.id), status=Status.CONSUMED)

    def _on_remanufacture(self, event: Remanufacture) -> None:
        objects = self.resolve_all(event.objects, "objects")
        # The recorded value of the batch, split over its items in whole yuan (the first ones take the remainder).
        share, rest = divmod(event.value_cny or 0, len(objects))
        for i, obj in enumerate(objects):
            field = f"objects[{i}]"
            self.live(obj, field)
            self.held_by_actor(obj, field)
            if obj.kind is not ObjectKind.ITEM:
                raise InvalidInput(
                    "only items are remanufactured",
                    code=codes.VALIDATION_ERROR,
                    message_zh="只有单件物品可以再制造",
                    field=field,
                )
            self.roles.append((obj.id, "subject"))
            # Remanufactured, or reused in a second life (cascade use): both keep the item in use.
            updated = self.change(
                obj, status=Status.REMANUFACTURED, fate=event.resulting_fate, remanufactured=True
            )
            self.flow(
                updated,
                Direction.REMANUFACTURED,
                event.site_id,
                prior_fate=obj.fate,
                value_cny=share + (1 if i < rest else 0),
            )

    def _on_dispose(self, event: Dispose) -> None:
        for i, obj in enumerate(self.resolve_all(event.objects, "objects")):
            field = f"objects[{i}]"
            self.live(obj, field)
            self.loose(obj, field)
            self.held_by_actor(obj, field)
            if self.current_children(obj.id):
                raise Conflict(
                    f"{obj.id} still contains items; disaggregate first",
                    code=codes.AGGREGATION_INVALID,
                    message_zh="物品仍含有子项，请先拆分",
                    field=field,
                )
            self.roles.append((obj.id, "subject"))
            updated = self.change(obj, status=Status.DISPOSED, fate=event.fate)
            self.flow(updated, Direction.DISPOSED, event.site_id, prior_fate=obj.fate)

    def _on_correct(self, event: Correct) -> None:
        target = self.ledger.records.get(event.target_event_id)
        if target is None:
            raise NotFound(
                f"event {event.target_event_id!r} is not recorded",
                code=codes.EVENT_NOT_FOUND,
                message_zh="被更正的事件不存在",
                field="target_event_id",
            )
        if target.corrected_by is not None:
            raise Conflict(
                f"event {target.event_id} was already corrected by {target.corrected_by}",
                code=codes.ALREADY_CORRECTED,
                message_zh="该事件已被更正",
                field="target_event_id",
            )
        if isinstance(target.event, Correct):
            raise InvalidInput(
                "a correction cannot itself be corrected; record a new event instead",
                code=codes.VALIDATION_ERROR,
                message_zh="更正事件不能再被更正",
                field="target_event_id",
            )
        touched = dict.fromkeys([*(o.id for o in target.before), *target.created_ids])
        for object_id in touched:
            current = self.get(object_id)
            if current.last_event_id != target.event_id:
                raise Conflict(
                    f"{object_id} changed after {target.event_id} (by {current.last_event_id}); correct the later "
                    "events first",
                    code=codes.CORRECTION_NOT_LATEST,
                    message_zh="该事件之后物品已有新事件，请先更正后续事件",
                    field="target_event_id",
                    details={"object_id": object_id, "later_event": current.last_event_id},
                )
        for previous in target.before:
            current = self.get(previous.id)
            self.change(
                current,
                **{
                    f.name: getattr(previous, f.name)
                    for f in dataclasses.fields(previous)
                    if f.name not in ("version", "last_event_id", "id")
                },
            )
            if current.parent_id != previous.parent_id:
                self.child_moves.append((previous.id, current.parent_id, previous.parent_id))
            self.roles.append((previous.id, "subject"))
        for object_id in target.created_ids:
            current = self.get(object_id)
            # A voided object gives up its identifiers, so the corrective event can use them again.
            self.change(current, status=Status.VOIDED, keys=())
            self.roles.append((object_id, "subject"))
        self.flows.extend(f.negated(event.event_id) for f in target.flows)
        self.correction_target = target.event_id

    # -- commit ----------------------------------------------------------------------------------------------

    def commit(self, fingerprint: str) -> None:
        ledger = self.ledger
        for object_id, obj in self.staged.items():
            if object_id in self.created:
                ledger._created.add(object_id)
            elif object_id not in ledger._original_versions and object_id not in ledger._created:
                ledger._original_versions[object_id] = ledger.objects[object_id].version
            old = ledger.objects.get(object_id)
            if old is not None:
                for key in set(old.keys) - set(obj.keys):
                    ledger.keys.pop(key, None)
            ledger.objects[object_id] = obj
        ledger.keys.update(self.new_keys)
        ledger._read.update(self.read)
        for child, old_parent, new_parent in self.child_moves:
            if old_parent is not None:
                ledger.children.get(old_parent, set()).discard(child)
            if new_parent is not None:
                ledger.children.setdefault(new_parent, set()).add(child)
        record = RecordedEvent(
            event=self.event,
            fingerprint=fingerprint,
            recorded_at=ledger.now,
            object_roles=tuple(dict.fromkeys(self.roles)),
            created_ids=tuple(self.created),
            before=tuple(self.before.values()),
            flows=tuple(self.flows),
        )
        changes = ledger._changes
        changes.records.append(record)
        changes.links.extend(self.links)
        changes.flows.extend(self.flows)
        ledger.records[self.event.event_id] = record
        if self.correction_target is not None:
            changes.corrections.append((self.correction_target, self.event.event_id))
            ledger.records[self.correction_target] = dataclasses.replace(
                ledger.records[self.correction_target], corrected_by=self.event.event_id
            )
