"""Response bodies: what the graph holds, in kilograms and ISO 8601, enums as their string values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from retrace.api.schemas.common import MassKgOut
from retrace.api.schemas.events import AnyEvent, event_view
from retrace.app.capture import CaptureResult
from retrace.app.ports import FlowTotal, Lineage, LineageDirection
from retrace.domain.changes import Direction, LinkKind, RecordedEvent
from retrace.domain.custody import CustodySpan
from retrace.domain.model import Fate, ObjectKind, Status, Stream, TracedObject

_KG = Decimal(1000)


def _kg(grams: int) -> Decimal:
    return Decimal(grams) / _KG


class IdentifierView(BaseModel):
    scheme: str = Field(description="digital_link, sgtin, sgtin96, gbt34014, vin or internal.")
    value: str = Field(description="The identifier as it was given.")


class ItemView(BaseModel):
    """A traced object: an item (one unit) or a lot (a quantity of one material)."""

    id: str = Field(
        description="The platform's id of the object (stable, derived from the event that created it)."
    )
    kind: ObjectKind = Field(description="`item` (a unit) or `lot` (a quantity of a material).")
    identifiers: list[IdentifierView] = Field(description="Every identifier the object carries.")
    stream: Stream = Field(description="weee, elv or battery.")
    status: Status = Field(description="Where the object is in its life (active, in_transit, dismantled …).")
    mass_kg: MassKgOut = Field(description="Current mass in kg.")
    holder_id: str | None = Field(description="The party that holds it (or last held it).")
    site_id: str | None = Field(description="The site where it is (or last was).")
    in_transit_to: str | None = Field(description="The party it was shipped to, while in transit.")
    model_id: str | None = Field(description="Items: the registered product model.")
    category: str | None = Field(description="Items: the product category (tv, passenger_car, ncm_pack …).")
    material: str | None = Field(description="Lots: the material (steel, copper, black_mass …).")
    fate: Fate | None = Field(description="What its mass is destined for, where known.")
    parent_id: str | None = Field(description="The container it is in now, if any.")
    created_at: datetime = Field(description="When it came into the graph (event time).")
    created_by_event: str = Field(description="The event that created it.")
    last_event_id: str | None = Field(description="The last event that changed it.")
    version: int = Field(description="Counts the changes to the object.")

    @classmethod
    def of(cls, obj: TracedObject) -> ItemView:
        return cls(
            id=obj.id,
            kind=obj.kind,
            identifiers=[IdentifierView(scheme=scheme, value=value) for scheme, value in obj.identifiers],
            stream=obj.stream,
            status=obj.status,
            mass_kg=_kg(obj.mass_g),
            holder_id=obj.holder_id,
            site_id=obj.site_id,
            in_transit_to=obj.in_transit_to,
            model_id=obj.model_id,
            category=obj.category,
            material=obj.material,
            fate=obj.fate,
            parent_id=obj.parent_id,
            created_at=obj.created_at,
            created_by_event=obj.created_by_event,
            last_event_id=obj.last_event_id,
            version=obj.version,
        )


# -- capture --------------------------------------------------------------------------------------------------------


class EventOutcomeView(BaseModel):
    event_id: str = Field(description="The event's id, as sent.")
    status: str = Field(
        description="`created`, or `replayed` when the event was already recorded (same content)."
    )
    recorded_at: datetime = Field(description="When the server first recorded the event.")
    created_ids: list[str] = Field(description="Ids of the objects the event created (items, parts, lots).")


class CaptureResponse(BaseModel):
    created: int = Field(description="Events recorded by this request.")
    replayed: int = Field(description="Events that were already recorded; answered as the first time.")
    outcomes: list[EventOutcomeView] = Field(description="One per event, in the order sent.")

    @classmethod
    def of(cls, result: CaptureResult) -> CaptureResponse:
        return cls(
            created=result.created,
            replayed=result.replayed,
            outcomes=[
                EventOutcomeView(
                    event_id=o.event_id,
                    status=o.status,
                    recorded_at=o.recorded_at,
                    created_ids=list(o.created_ids),
                )
                for o in result.outcomes
            ],
        )


# -- item queries ---------------------------------------------------------------------------------------------------


class HistoryEntry(BaseModel):
    event: AnyEvent = Field(description="The event as it was captured.")
    recorded_at: datetime = Field(description="When the server recorded it.")
    roles: list[str] = Field(
        description="What the object was in this event (subject, input, output, parent, child …)."
    )
    created_ids: list[str] = Field(description="Objects the event created.")
    corrected_by: str | None = Field(description="The correcting event, if this one was declared erroneous.")

    @classmethod
    def of(cls, record: RecordedEvent, object_id: str) -> HistoryEntry:
        return cls(
            event=event_view(record.event),
            recorded_at=record.recorded_at,
            roles=[role for oid, role in record.object_roles if oid == object_id],
            created_ids=list(record.created_ids),
            corrected_by=record.corrected_by,
        )


class HistoryResponse(BaseModel):
    item: ItemView = Field(description="The object, as it is now.")
    events: list[HistoryEntry] = Field(description="Every event that touched the object, oldest first.")


class LinkView(BaseModel):
    from_id: str = Field(description="The upstream object.")
    to_id: str = Field(description="The downstream object.")
    kind: LinkKind = Field(description="contains, disassembled_into or transformed_into.")
    event_id: str = Field(description="The event that made the link.")
    mass_kg: MassKgOut | None = Field(description="Mass carried along the link, where recorded.")


class LineageResponse(BaseModel):
    root: ItemView = Field(description="The object asked about.")
    direction: LineageDirection = Field(
        description="`upstream` (where it came from) or `downstream` (where it went)."
    )
    depth: int = Field(description="How many links were followed at most.")
    objects: list[ItemView] = Field(description="Every object reached, the root included, by id.")
    links: list[LinkView] = Field(description="The links between them.")

    @classmethod
    def of(cls, lineage: Lineage, direction: LineageDirection, depth: int) -> LineageResponse:
        return cls(
            root=ItemView.of(lineage.root),
            direction=direction,
            depth=depth,
            objects=[ItemView.of(o) for o in lineage.objects],
            links=[
                LinkView(
                    from_id=link.from_id,
                    to_id=link.to_id,
                    kind=link.kind,
                    event_id=link.event_id,
                    mass_kg=None if link.mass_g is None else _kg(link.mass_g),
                )
                for link in lineage.links
            ],
        )


class CustodySpanView(BaseModel):
    party_id: str = Field(description="Who held it.")
    site_id: str | None = Field(description="Where.")
    start: datetime = Field(description="From when.")
    end: datetime | None = Field(description="Until when; null while still held.")
    start_event: str = Field(description="The event that began the custody.")
    end_event: str | None = Field(description="The event that ended it.")

    @classmethod
    def of(cls, span: CustodySpan) -> CustodySpanView:
        return cls(
            party_id=span.party_id,
            site_id=span.site_id,
            start=span.start,
            end=span.end,
            start_event=span.start_event,
            end_event=span.end_event,
        )


class CustodyResponse(BaseModel):
    item: ItemView = Field(description="The object, as it is now.")
    custody: list[CustodySpanView] = Field(description="Who held it when, oldest first.")


# -- site queries ---------------------------------------------------------------------------------------------------


class InventoryResponse(BaseModel):
    site_id: str = Field(description="The site asked about.")
    items: list[ItemView] = Field(description="Objects at the site now, by id.")
    next_after: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class FlowTotalView(BaseModel):
    direction: Direction = Field(description="How the mass crossed the site (received, shipped, produced …).")
    material: str = Field(description="Material of a lot, or product category of an item.")
    fate: str | None = Field(description="Fate of the mass, where known.")
    mass_kg: MassKgOut = Field(description="Total mass in kg.")
    count: int = Field(description="How many records the total sums.")

    @classmethod
    def of(cls, total: FlowTotal) -> FlowTotalView:
        return cls(
            direction=total.direction,
            material=total.material,
            fate=total.fate,
            mass_kg=_kg(total.mass_g),
            count=total.count,
        )


class FlowsResponse(BaseModel):
    site_id: str = Field(description="The site asked about.")
    start: datetime = Field(description="Start of the period (included).")
    end: datetime = Field(description="End of the period (excluded).")
    totals: list[FlowTotalView] = Field(description="Mass by direction, material and fate.")


# -- registry and health ----------------------------------------------------------------------------------------------


class RegistrationResponse(BaseModel):
    parties: int = Field(description="Parties registered or replaced.")
    licences: int = Field(description="Licences registered or replaced.")
    sites: int = Field(description="Sites registered or replaced.")
    models: int = Field(description="Product models registered or replaced.")


class HealthResponse(BaseModel):
    status: str = Field(description="`ok`.")
    store: str = Field(description="Which store is in use (sqlite or neo4j).")
    counts: dict[str, int] = Field(description="Objects, events, parties and sites in the store.")
