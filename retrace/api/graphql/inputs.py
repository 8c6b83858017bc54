"""What mutations take, and how it becomes the domain's requests: through the REST API's own request models.

A GraphQL input is turned into the same plain data a REST client would send and validated by the same pydantic
models (``retrace.api.schemas``), which build the domain's events and registrations.  So every rule of shape is
written once, and a bad input gets exactly the error REST gives it: the same code, message, field (a path such as
``events[0].event_time``, in the REST names, which are also the GraphQL names) and details.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from pydantic import ValidationError

from retrace.api.errors import validation_body
from retrace.api.graphql.enums import FateKind, PartyRole, StreamKind
from retrace.api.schemas.events import CaptureRequest
from retrace.api.schemas.registry import RegistrationRequest
from retrace.app.registry import Registration
from retrace.domain import errors as codes
from retrace.domain.errors import InvalidInput
from retrace.domain.events import Event

# -- master data ----------------------------------------------------------------------------------------------


@strawberry.input(description="A party to register or replace (by id).")
class PartyInput:
    id: str = strawberry.field(
        description="Stable id chosen by the registrant, e.g. a unified social credit code."
    )
    name: str = strawberry.field(description="Name in English (or transliterated).")
    name_zh: str = strawberry.field(
        default="",
        description="The party's name in Chinese (中文名称), shown on labels and pages; may be empty.",
    )
    roles: list[PartyRole] = strawberry.field(description="What the party does (at least one role).")
    region: str = strawberry.field(
        description="GB/T 2260 administrative division code (6 digits), e.g. 310115."
    )


@strawberry.input(description="A licence to register or replace (by number).")
class LicenceInput:
    number: str = strawberry.field(description="Licence number as issued.")
    party_id: str = strawberry.field(description="The licensed party (registered, or in the same request).")
    streams: list[StreamKind] = strawberry.field(description="Streams the licence covers (at least one).")
    valid_from: date = strawberry.field(description="First day of validity.")
    valid_to: date = strawberry.field(description="Last day of validity.")


@strawberry.input(description="A site to register or replace (by id).")
class SiteInput:
    id: str = strawberry.field(description="Stable id chosen by the registrant; events name the site by it.")
    name: str = strawberry.field(description="Name in English (or transliterated).")
    name_zh: str = strawberry.field(
        default="",
        description="The site's name in Chinese (中文名称), shown on labels and pages; may be empty.",
    )
    party_id: str = strawberry.field(description="The operating party.")
    region: str = strawberry.field(description="GB/T 2260 administrative division code (6 digits).")


@strawberry.input(description="The mass of one material in one unit of a product model.")
class MaterialMassInput:
    material: str = strawberry.field(description="Material, lower case (steel, copper, plastics …).")
    mass_kg: float = strawberry.field(description="Kilograms of it in one unit.")


@strawberry.input(description="A product model to register or replace (by id).")
class ProductModelInput:
    id: str = strawberry.field(description="Stable product model id.")
    producer_id: str = strawberry.field(description="The producer (a party with the producer role).")
    stream: StreamKind = strawberry.field(description="The stream its units end up in.")
    category: str = strawberry.field(
        description="Product category (tv, refrigerator, passenger_car, ncm_pack …)."
    )
    name: str = strawberry.field(description="The model's name, as on the product (Chinese is welcome).")
    nominal_mass_kg: float = strawberry.field(description="Mass of one unit in kilograms.")
    composition: list[MaterialMassInput] = strawberry.field(
        default_factory=list,
        description="Kilograms of each material in one unit (each material once); sums to at most the nominal mass.",
    )
    gtin: str | None = strawberry.field(
        default=None,
        description="GTIN of the model, if it has one (check digit verified; stored as GTIN-14).",
    )


@strawberry.input(description="Master data to register or replace (by id); any part may be left out.")
class RegistrationInput:
    parties: list[PartyInput] = strawberry.field(
        default_factory=list, description="Companies and authorities to register (主体)."
    )
    licences: list[LicenceInput] = strawberry.field(
        default_factory=list, description="Licences (资质); their party may be in `parties`."
    )
    sites: list[SiteInput] = strawberry.field(
        default_factory=list, description="Yards, plants and collection points to register (场地)."
    )
    models: list[ProductModelInput] = strawberry.field(
        default_factory=list, description="Product models (产品型号) of producers."
    )


# -- events ---------------------------------------------------------------------------------------------------


@strawberry.input(
    description="A unit that comes into the graph (commissioned, or a part taken out of an item)."
)
class NewItemInput:
    identifiers: list[str] = strawberry.field(
        description="Every identifier the unit carries (QR code, RFID tag, VIN, battery code); any of them finds it."
    )
    model_id: str = strawberry.field(description="Registered product model of the unit.")
    mass_kg: float | None = strawberry.field(
        default=None, description="Measured mass in kilograms; the model's nominal mass if left out."
    )
    fate: FateKind | None = strawberry.field(
        default=None, description="For parts taken out in a disassembly: what they are destined for."
    )


@strawberry.input(description="A quantity of one material produced by a disassembly or a transformation.")
class NewLotInput:
    code: str = strawberry.field(description="The lot's own code (letters, digits, `. _ / -`), unique.")
    material: str = strawberry.field(description="Material, lower case (steel, copper, black_mass …).")
    mass_kg: float = strawberry.field(description="Mass of the lot in kilograms.")
    fate: FateKind = strawberry.field(description="What the lot's mass is destined for.")
    composition: list[MaterialMassInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="What an assay found in the lot: kilograms of each element or material (lithium, nickel, "
        "cobalt, manganese, copper, electrode_powder …), each at most the lot's mass; element recovery rates use "
        "it.",
    )


_EVENT_ID = (
    "Unique id generated once on the device (e.g. a UUID): sending it again with the same content is a "
    "harmless replay; with other content it is EVENT_ID_CONFLICT."
)
_EVENT_TIME = "When it happened, with a timezone offset (2024-05-01T08:00:00+08:00 or …Z)."
_SITE = "Registered site where it happened."
_PARTY = "Registered party that did it."


@strawberry.input(description="Commission: a producer or collector tags units and puts them into the graph.")
class CommissionInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    items: list[NewItemInput] = strawberry.field(description="The units commissioned (1 to 1000).")


@strawberry.input(description="Ship: the holder sends objects to another party; in transit until received.")
class ShipInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    objects: list[str] = strawberry.field(description="What is shipped (any identifiers).")
    to_party_id: str = strawberry.field(
        description="The receiving party (licensed for the stream if its role needs it)."
    )
    to_site_id: str | None = strawberry.field(default=None, description="The receiving site, if known.")


@strawberry.input(description="Receive: a party takes objects into custody.")
class ReceiveInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    objects: list[str] = strawberry.field(description="What is received (any identifiers).")
    from_party_id: str | None = strawberry.field(default=None, description="Who handed them over, if known.")


@strawberry.input(description="Weigh: a measured mass replaces the nominal one.")
class WeighInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    object: str = strawberry.field(description="What was weighed (any identifier).")
    mass_kg: float = strawberry.field(description="The measured mass in kilograms.")


@strawberry.input(
    description="Aggregate: children go into a parent (modules into a pack, a pack into a vehicle)."
)
class AggregateInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    parent: str = strawberry.field(description="The container (any identifier).")
    children: list[str] = strawberry.field(description="What goes into it (any identifiers).")


@strawberry.input(description="Disaggregate: children come out of a parent.")
class DisaggregateInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    parent: str = strawberry.field(description="The container (any identifier).")
    children: list[str] = strawberry.field(description="What comes out of it (any identifiers).")


@strawberry.input(
    description="Disassemble: one item is taken apart into part items and material lots (once only: "
    "a second time is DOUBLE_TREATMENT)."
)
class DisassembleInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    object: str = strawberry.field(description="The item taken apart (any identifier).")
    parts: list[NewItemInput] = strawberry.field(default_factory=list, description="Part items taken out.")
    lots: list[NewLotInput] = strawberry.field(default_factory=list, description="Material lots taken out.")


@strawberry.input(
    description="Transform: inputs are consumed whole into material lots (shredding, smelting)."
)
class TransformInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    inputs: list[str] = strawberry.field(description="Items or lots consumed (any identifiers).")
    outputs: list[NewLotInput] = strawberry.field(description="The material lots produced (at least one).")
    reagents_kg: float | None = strawberry.field(
        default=strawberry.UNSET,
        description="Reagents added that end in the outputs, in kilograms (acid and water bound in a sulfate, the "
        "carbonate of soda ash in lithium carbonate): input for the mass balance, left out of recovery rates.",
    )


@strawberry.input(description="Remanufacture: items are remanufactured and go back into use.")
class RemanufactureInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    objects: list[str] = strawberry.field(description="Items remanufactured (any identifiers).")
    fate: FateKind | None = strawberry.field(
        default=strawberry.UNSET,
        description="REMANUFACTURE (the default) or REUSE (cascade use, 梯次利用: e.g. battery modules put into "
        "energy storage).",
    )
    value_cny: float | None = strawberry.field(
        default=strawberry.UNSET,
        description="Value of the remanufactured output in whole yuan, if recorded (the remanufacturing-scale "
        "indicator sums it). A Float because GraphQL's Int stops at 2^31; a fraction is refused.",
    )


@strawberry.input(description="Dispose: objects are landfilled or incinerated.")
class DisposeInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    objects: list[str] = strawberry.field(description="What is disposed of (any identifiers).")
    fate: FateKind = strawberry.field(default=FateKind.DISPOSAL, description="DISPOSAL or ENERGY_RECOVERY.")


@strawberry.input(
    description="Declare an earlier event erroneous (EPCIS error declaration): it is kept, flagged, and "
    "its effects undone."
)
class CorrectInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    target_event_id: str = strawberry.field(description="The event declared erroneous.")
    reason: str = strawberry.field(description="Why the target event is erroneous, for the audit trail.")
    corrective_event_ids: list[str] = strawberry.field(
        default_factory=list, description="Events recorded in its place, if any."
    )


@strawberry.input(
    description="Associate: new identifiers for an item already in the graph (a battery pack re-coded under "
    "GB/T 34014 for its second life, a VIN or an RFID tag fixed to an item first tagged by QR)."
)
class AssociateInput:
    event_id: str = strawberry.field(description=_EVENT_ID)
    event_time: datetime = strawberry.field(description=_EVENT_TIME)
    site_id: str = strawberry.field(description=_SITE)
    party_id: str = strawberry.field(description=_PARTY)
    object: str = strawberry.field(description="The item (any identifier it already carries).")
    identifiers: list[str] = strawberry.field(
        description="The new identifiers (1 to 16): none may name another object (IDENTIFIER_TAKEN) or be one "
        "the item already carries (ALREADY_ASSOCIATED)."
    )


@strawberry.input(one_of=True, description="One event of any type: set exactly one field (GraphQL @oneOf).")
class EventInput:
    commission: CommissionInput | None = strawberry.field(
        default=strawberry.UNSET, description="Commission: new units are tagged and enter the graph."
    )
    ship: ShipInput | None = strawberry.field(
        default=strawberry.UNSET, description="Ship: the holder sends objects to another party."
    )
    receive: ReceiveInput | None = strawberry.field(
        default=strawberry.UNSET, description="Receive: objects in transit arrive at the receiver."
    )
    weigh: WeighInput | None = strawberry.field(
        default=strawberry.UNSET, description="Weigh: an object's mass is measured on a scale."
    )
    aggregate: AggregateInput | None = strawberry.field(
        default=strawberry.UNSET, description="Aggregate: children are put into a parent (cells into a pack)."
    )
    disaggregate: DisaggregateInput | None = strawberry.field(
        default=strawberry.UNSET, description="Disaggregate: children are taken out of their parent again."
    )
    disassemble: DisassembleInput | None = strawberry.field(
        default=strawberry.UNSET, description="Disassemble: an item is taken apart into parts and lots."
    )
    transform: TransformInput | None = strawberry.field(
        default=strawberry.UNSET, description="Transform: inputs are consumed whole into material lots."
    )
    remanufacture: RemanufactureInput | None = strawberry.field(
        default=strawberry.UNSET, description="Remanufacture: items are remanufactured and go back into use."
    )
    dispose: DisposeInput | None = strawberry.field(
        default=strawberry.UNSET, description="Dispose: objects are landfilled or incinerated."
    )
    correct: CorrectInput | None = strawberry.field(
        default=strawberry.UNSET, description="An error declaration."
    )
    associate: AssociateInput | None = strawberry.field(
        default=strawberry.UNSET, description="New identifiers for an item."
    )


# -- to the domain, through the REST request models -------------------------------------------------------------


def plain(value: Any) -> Any:
    """A strawberry input as the JSON-like data a REST client sends (fields left out stay out)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not strawberry.UNSET
        }
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def event_data(event: EventInput) -> dict[str, Any]:
    """``{"type": …, **fields}``: the REST body of one event."""
    chosen = {k: v for k, v in plain(event).items() if v is not None}
    if len(chosen) != 1:  # @oneOf is checked by GraphQL first; this keeps the function safe on its own
        raise InvalidInput(
            "set exactly one event type", code=codes.VALIDATION_ERROR, message_zh="须且只能设置一种事件类型"
        )
    ((kind, fields),) = chosen.items()
    return {"type": kind, **fields}


def _validation_error(error: ValidationError) -> InvalidInput:
    """The REST API's error for the same body (``retrace.api.errors.validation_body``), as a domain error."""
    located = [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
    body = validation_body(located)["error"]
    return InvalidInput(
        body["message"],
        code=body["code"],
        message_zh=body["message_zh"],
        field=body["field"],
        details=body["details"],
    )


def events_to_domain(events: list[dict[str, Any]]) -> list[Event]:
    """Validate a batch as ``POST /api/v1/events`` does, and build its domain events (all or none)."""
    try:
        request = CaptureRequest.model_validate(
            {"events": [_lot_compositions(e, i) for i, e in enumerate(events)]}
        )
    except ValidationError as e:
        raise _validation_error(e) from None
    return request.to_domain()


def _lot_compositions(event: dict[str, Any], index: int) -> dict[str, Any]:
    """GraphQL lists a lot's assay as ``composition: [{material, mass_kg}]`` (a map is not a GraphQL type); REST
    takes ``composition_kg: {material: kg}``."""
    out = dict(event)
    for key in ("lots", "outputs"):
        if key not in out:
            continue
        lots = []
        for j, lot in enumerate(out[key]):
            lot = dict(lot)
            if "composition" in lot:
                assay: dict[str, Any] = {}
                for k, entry in enumerate(lot.pop("composition") or []):
                    if entry["material"] in assay:
                        raise InvalidInput(
                            f"material {entry['material']!r} is listed twice in the lot's composition",
                            code=codes.VALIDATION_ERROR,
                            message_zh="批次成分中同一材料重复出现",
                            field=f"events[{index}].{key}[{j}].composition[{k}].material",
                        )
                    assay[entry["material"]] = entry["mass_kg"]
                lot["composition_kg"] = assay
            lots.append(lot)
        out[key] = lots
    return out


def registration_to_domain(data: Mapping[str, Any]) -> Registration:
    """Validate master data as ``POST /api/v1/registry`` does, and build the domain's registration."""
    composition_errors: list[InvalidInput] = []
    body = dict(data)
    models = []
    for i, model in enumerate(body.get("models", [])):
        model = dict(model)
        composition: dict[str, Any] = {}
        for j, entry in enumerate(model.pop("composition", [])):
            if entry["material"] in composition:
                composition_errors.append(
                    InvalidInput(
                        f"material {entry['material']!r} is listed twice in the composition",
                        code=codes.VALIDATION_ERROR,
                        message_zh="材料组成中同一材料重复出现",
                        field=f"models[{i}].composition[{j}].material",
                    )
                )
            composition[entry["material"]] = entry["mass_kg"]
        model["composition_kg"] = composition
        models.append(model)
    if composition_errors:
        raise composition_errors[0]
    body["models"] = models
    try:
        request = RegistrationRequest.model_validate(body)
    except ValidationError as e:
        raise _validation_error(e) from None
    return request.to_domain()
