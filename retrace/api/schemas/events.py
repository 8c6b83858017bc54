"""Capture events as JSON: the domain's event types (``retrace.domain.events``), masses in kilograms.

One model per event type, told apart by ``type``.  The same models describe what is sent and what history gives
back, so a client reads an event in the shape it wrote it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, TypeAdapter

from retrace.api.schemas.common import Id, Identifier, MassKg, RequestModel
from retrace.domain.errors import BatchRejected, TraceError
from retrace.domain.events import Event, event_from_payload
from retrace.domain.model import Fate, grams_from_kg

_KG = Decimal(1000)


class NewItemSpec(RequestModel):
    """A unit that comes into the graph."""

    identifiers: list[Identifier] = Field(
        min_length=1,
        max_length=16,
        description="Every identifier the unit carries (QR code, RFID tag, VIN, battery code); any of them finds it.",
    )
    model_id: Id = Field(description="Registered product model of the unit.")
    mass_kg: MassKg | None = Field(
        None, description="Measured mass in kg; the model's nominal mass if absent."
    )
    fate: Fate | None = Field(
        None,
        description="For parts taken out in a disassembly: what they are destined for (reuse, remanufacture …).",
    )


class NewLotSpec(RequestModel):
    """A quantity of one material produced by a disassembly or a transformation."""

    code: Annotated[str, Field(min_length=3, max_length=64)] = Field(
        description="The lot's own code (letters, digits, `. _ / -`), unique in the platform.",
        examples=["CU-2024-0001"],
    )
    material: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Material, lower case (steel, copper, aluminium, plastics, black_mass, lithium_carbonate …).",
    )
    mass_kg: MassKg = Field(description="Mass of the lot in kg.")
    fate: Fate = Field(
        description="What the lot's mass is destined for; every recovery rate is built from it."
    )
    composition_kg: dict[Annotated[str, Field(min_length=1, max_length=64)], MassKg] | None = Field(
        None,
        exclude_if=lambda value: value is None,  # absent, as before assays existed, when there is none
        max_length=64,
        description="What an assay found in the lot, kg of each element or material (lithium, nickel, cobalt, "
        "manganese, copper, electrode_powder …); each at most the lot's mass (entries may overlap).  Element "
        "recovery rates use it.",
    )


class EventBase(RequestModel):
    event_id: Id = Field(
        description="Unique id generated once on the device (e.g. a UUID). Sending it again with the same content "
        "is a harmless replay; with other content it is `EVENT_ID_CONFLICT`.",
        examples=["0b6f0e6c-5d0e-4c3f-9a51-2f8f6f3c1a01"],
    )
    event_time: AwareDatetime = Field(
        description="When it happened, RFC 3339 with a timezone offset (`2024-05-01T08:00:00+08:00` or `…Z`).",
    )
    site_id: Id = Field(description="Registered site where it happened.")
    party_id: Id = Field(description="Registered party that did it.")

    def to_domain(self) -> Event:
        """The domain event; raises the domain's own error if a rule of its shape is broken."""
        data = self.model_dump(mode="python")
        data["event_time"] = self.event_time.isoformat()
        return event_from_payload(_to_grams(data, ""))


class CommissionEvent(EventBase):
    """A producer or collector tags units and puts them into the graph."""

    type: Literal["commission"] = Field(description="Event type.")
    items: list[NewItemSpec] = Field(min_length=1, max_length=1000, description="The units commissioned.")


class ShipEvent(EventBase):
    """The holder sends objects to another party; they are in transit until received."""

    type: Literal["ship"] = Field(description="Event type.")
    objects: list[Identifier] = Field(min_length=1, max_length=1000, description="What is shipped.")
    to_party_id: Id = Field(
        description="The receiving party; it needs a licence for the stream if its role does."
    )
    to_site_id: Id | None = Field(None, description="The receiving site, if known.")


class ReceiveEvent(EventBase):
    """A party takes objects into custody."""

    type: Literal["receive"] = Field(description="Event type.")
    objects: list[Identifier] = Field(min_length=1, max_length=1000, description="What is received.")
    from_party_id: Id | None = Field(None, description="Who handed them over, if known.")


class WeighEvent(EventBase):
    """A measured mass replaces the nominal one."""

    type: Literal["weigh"] = Field(description="Event type.")
    object: Identifier = Field(description="What was weighed.")
    mass_kg: MassKg = Field(description="The measured mass in kg.")


class AggregateEvent(EventBase):
    """Children go into a parent: modules into a pack, a pack into a vehicle, appliances into a cage."""

    type: Literal["aggregate"] = Field(description="Event type.")
    parent: Identifier = Field(description="The container.")
    children: list[Identifier] = Field(min_length=1, max_length=1000, description="What goes into it.")


class DisaggregateEvent(EventBase):
    """Children come out of a parent."""

    type: Literal["disaggregate"] = Field(description="Event type.")
    parent: Identifier = Field(description="The container.")
    children: list[Identifier] = Field(min_length=1, max_length=1000, description="What comes out of it.")


class DisassembleEvent(EventBase):
    """One item is taken apart into new part items and material lots (once: a second time is DOUBLE_TREATMENT)."""

    type: Literal["disassemble"] = Field(description="Event type.")
    object: Identifier = Field(description="The item taken apart.")
    parts: list[NewItemSpec] = Field(
        default_factory=list, max_length=1000, description="Part items taken out."
    )
    lots: list[NewLotSpec] = Field(
        default_factory=list, max_length=1000, description="Material lots taken out."
    )


class TransformEvent(EventBase):
    """Inputs are consumed whole into material lots (shredding, smelting, hydrometallurgy)."""

    type: Literal["transform"] = Field(description="Event type.")
    inputs: list[Identifier] = Field(min_length=1, max_length=1000, description="Items or lots consumed.")
    outputs: list[NewLotSpec] = Field(min_length=1, max_length=1000, description="Lots produced.")
    reagents_kg: MassKg | None = Field(
        None,
        exclude_if=lambda value: (
            value is None
        ),  # absent, as before reagents could be declared, when there are none
        description="Reagents added that end in the outputs, in kg (sulfuric acid and water bound in a metal sulfate, "
        "the carbonate of soda ash in lithium carbonate).  The mass balance counts them as input; recovery rates "
        "leave them out of the outputs.",
    )


class RemanufactureEvent(EventBase):
    """Items are remanufactured, or reused in a second life (cascade use), and go back into use."""

    type: Literal["remanufacture"] = Field(description="Event type.")
    objects: list[Identifier] = Field(min_length=1, max_length=1000, description="Items remanufactured.")
    fate: Literal[Fate.REMANUFACTURE, Fate.REUSE] | None = Field(
        None,
        exclude_if=lambda value: value is None,
        description="`remanufacture` (the default: rebuilt to as-new) or `reuse` (cascade use, 梯次利用: e.g. battery "
        "modules put into energy storage).",
    )
    value_cny: int | None = Field(
        None,
        exclude_if=lambda value: value is None,
        ge=0,
        le=10**12,
        description="Value of the remanufactured output in whole yuan, if recorded (the remanufacturing-scale "
        "indicator sums it).",
    )


class DisposeEvent(EventBase):
    """Objects are landfilled or incinerated (with or without energy recovery)."""

    type: Literal["dispose"] = Field(description="Event type.")
    objects: list[Identifier] = Field(min_length=1, max_length=1000, description="What is disposed of.")
    fate: Literal[Fate.DISPOSAL, Fate.ENERGY_RECOVERY] = Field(
        Fate.DISPOSAL, description="`disposal` or `energy_recovery`."
    )


class CorrectEvent(EventBase):
    """An earlier event is declared erroneous (EPCIS error declaration); it is kept, flagged, and its effects undone."""

    type: Literal["correct"] = Field(description="Event type.")
    target_event_id: Id = Field(description="The event declared erroneous.")
    reason: Annotated[str, Field(min_length=1, max_length=1000)] = Field(description="Why.")
    corrective_event_ids: list[Id] = Field(
        default_factory=list, max_length=100, description="Events recorded in its place, if any."
    )


class AssociateEvent(EventBase):
    """New identifiers for an item already in the graph (a battery pack re-coded under GB/T 34014 for its second
    life, a VIN or an RFID tag fixed to an item first tagged by QR); any of its identifiers, old or new, finds it."""

    type: Literal["associate"] = Field(description="Event type.")
    object: Identifier = Field(description="The item, by an identifier it already carries.")
    identifiers: list[Identifier] = Field(
        min_length=1,
        max_length=16,
        description="The new identifiers: none may name another object (`IDENTIFIER_TAKEN`) or be one the item "
        "already carries (`ALREADY_ASSOCIATED`).",
    )


AnyEvent = Annotated[
    CommissionEvent
    | ShipEvent
    | ReceiveEvent
    | WeighEvent
    | AggregateEvent
    | DisaggregateEvent
    | DisassembleEvent
    | TransformEvent
    | RemanufactureEvent
    | DisposeEvent
    | CorrectEvent
    | AssociateEvent,
    Field(discriminator="type"),
]

_ANY_EVENT: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)


def event_view(event: Event) -> AnyEvent:
    """A stored domain event in its API shape (kilograms), the inverse of ``to_domain``."""
    return _ANY_EVENT.validate_python(_to_kg(event.payload()))


def _to_grams(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if key == "mass_kg":
                out["mass_g"] = None if item is None else grams_from_kg(item, here)
            elif key == "composition_kg":
                if item:  # absent and empty are the same: no assay
                    out["composition_g"] = {k: grams_from_kg(v, f"{here}.{k}") for k, v in item.items()}
            elif key == "reagents_kg":
                out["reagents_g"] = None if item is None else grams_from_kg(item, here)
            else:
                out[key] = _to_grams(item, here)
        return out
    if isinstance(value, list):
        return [_to_grams(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def _to_kg(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "mass_g":
                out["mass_kg"] = None if item is None else Decimal(item) / _KG
            elif key == "composition_g":
                out["composition_kg"] = {k: Decimal(v) / _KG for k, v in item.items()}
            elif key == "reagents_g":
                out["reagents_kg"] = Decimal(item) / _KG
            else:
                out[key] = _to_kg(item)
        return out
    if isinstance(value, list):
        return [_to_kg(item) for item in value]
    return value


class CaptureRequest(RequestModel):
    """A batch of events, applied in order, all or nothing."""

    events: list[AnyEvent] = Field(
        min_length=1,
        description="The events, in the order they happened; later ones may name objects earlier ones create.",
    )

    def to_domain(self) -> list[Event]:
        """The batch's domain events, all or none: the one conversion REST and GraphQL capture share.

        Raises ``BatchRejected`` listing every event whose shape breaks a domain rule (index, event id, error).
        """
        built: list[Event] = []
        errors: list[tuple[int, str, TraceError]] = []
        for index, spec in enumerate(self.events):
            try:
                built.append(spec.to_domain())
            except TraceError as e:
                errors.append((index, spec.event_id, e))
        if errors:
            raise BatchRejected(errors)
        return built
