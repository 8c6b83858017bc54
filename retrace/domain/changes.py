"""What capturing a batch changes, as data the stores persist atomically.

The domain decides every change; a store only writes a ``ChangeSet`` (all of it or none of it) and checks, in the
same transaction, that every object the decision rests on is still at the version it was read at: each updated
object (``ObjectUpdate.expected_version``) and each object the rules only read (``ChangeSet.read_versions``, e.g. the
containers above an aggregation's parent, which its cycle check walks).  If none of them changed, the decision is
the one the rules would make at the moment of the commit; if one did, another writer won and the batch is read and
decided again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from retrace.domain.events import Event
from retrace.domain.model import Stream, TracedObject


class LinkKind(StrEnum):
    """How one object came from another; lineage follows all three."""

    CONTAINS = "contains"  # aggregation: the parent held the child
    DISASSEMBLED_INTO = "disassembled_into"  # a part or lot taken out of an item
    TRANSFORMED_INTO = "transformed_into"  # an output lot made from an input


@dataclass(frozen=True)
class LineageLink:
    """A directed link from an upstream object to a downstream one, made by ``event_id``; never removed.

    A link stays when a container is later emptied: lineage is history, not the current state."""

    from_id: str
    to_id: str
    kind: LinkKind
    event_id: str
    mass_g: int | None = None


class Direction(StrEnum):
    """How mass crossed a site in a flow record."""

    COMMISSIONED = "commissioned"  # placed on the market / first tagged here
    RECEIVED = "received"
    SHIPPED = "shipped"
    CONSUMED = "consumed"  # input of a disassembly or transformation
    PRODUCED = "produced"  # output of a disassembly or transformation
    REMANUFACTURED = "remanufactured"
    DISPOSED = "disposed"
    # Reagent mass inside the object of the record it goes with (same event, object, stream, stage, fates):
    # bound into an output (stage primary/secondary), or leaving with a consumed (entry/intermediate) or disposed
    # (no stage) object.  Recovery rates take it out of that record's mass (docs/rates.md, "Reagents").
    REAGENT = "reagent"


class Stage(StrEnum):
    """What a flow record is in the accounting of recovery rates (``docs/rates.md``); set by the capture rules."""

    PLACED_ON_MARKET = "placed_on_market"  # commissioned by a producer
    COLLECTED = (
        "collected"  # entered the licensed chain: tagged at intake, or received from an owner or producer
    )
    ENTRY = "entry"  # consumed, and never an output of an earlier treatment: a unit entering treatment
    INTERMEDIATE = (
        "intermediate"  # consumed, and an output of an earlier treatment (``origin_site_id`` says where)
    )
    PRIMARY = "primary"  # produced by treating units that entered treatment (first treatment)
    SECONDARY = "secondary"  # produced by treating outputs of earlier treatments
    TRANSFER = (
        "transfer"  # an item of another stream released by a disassembly (a traction pack from a vehicle)
    )


@dataclass(frozen=True)
class FlowRecord:
    """One movement of mass at a site, written with the event that caused it.

    Mass balance and recovery rates are sums of these.  A correction writes the same records with the mass (and
    value and element content) negated, so sums stay right without editing anything.

    The fields after ``reverses`` serve the recovery rates (``retrace.domain.rates``): ``stage`` classifies the
    record; ``model_id`` is the product model the mass counts for (the object's own, or for outputs of a
    disassembly the model of the item taken apart); ``origin_site_id`` and ``origin_at`` say where and when an
    object came out of an earlier treatment (None for a unit never treated); ``prior_fate`` is the fate a dispose
    or remanufacture event replaced; ``counterparty_id`` the receiver of a shipment or the sender of a receipt;
    ``value_cny`` the recorded value of remanufactured output; ``elements_g`` the grams of each tracked element
    (``rates.materials.TRACKED_ELEMENTS``) the moved mass contains."""

    event_id: str
    site_id: str
    party_id: str
    event_time: datetime
    direction: Direction
    stream: Stream
    material: str
    fate: str | None
    mass_g: int
    object_id: str
    reverses: bool = False  # written by a correction: cancels an earlier record (mass negated, counts as -1)
    stage: Stage | None = None
    model_id: str | None = None
    origin_site_id: str | None = None
    origin_at: datetime | None = None
    prior_fate: str | None = None
    counterparty_id: str | None = None
    value_cny: int = 0
    elements_g: tuple[tuple[str, int], ...] = ()

    def negated(self, event_id: str) -> FlowRecord:
        """The record a correction writes to cancel this one."""
        return dataclasses.replace(
            self,
            event_id=event_id,
            mass_g=-self.mass_g,
            value_cny=-self.value_cny,
            elements_g=tuple((e, -g) for e, g in self.elements_g),
            reverses=True,
        )


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: what was sent, when the server recorded it, and what it did (for history and undo)."""

    event: Event
    fingerprint: str
    recorded_at: datetime
    object_roles: tuple[tuple[str, str], ...]  # (object id, role: subject/input/output/parent/child)
    created_ids: tuple[str, ...] = ()
    before: tuple[TracedObject, ...] = ()  # objects it changed, as they were before it
    flows: tuple[FlowRecord, ...] = ()
    corrected_by: str | None = None

    @property
    def event_id(self) -> str:
        return self.event.event_id


@dataclass(frozen=True)
class ObjectUpdate:
    """The new state of an existing object, valid only if the stored one still has ``expected_version``."""

    object: TracedObject
    expected_version: int


@dataclass
class ChangeSet:
    records: list[RecordedEvent] = field(default_factory=list)
    new_objects: list[TracedObject] = field(default_factory=list)
    updates: list[ObjectUpdate] = field(default_factory=list)
    # Object id → the version read, for every stored object the rules consulted but the batch does not change.  A
    # container's contents count as part of its state: every change of contents changes the container too.
    read_versions: dict[str, int] = field(default_factory=dict)
    links: list[LineageLink] = field(default_factory=list)
    flows: list[FlowRecord] = field(default_factory=list)
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (target event id, correcting event id)

    @property
    def empty(self) -> bool:
        return not self.records
