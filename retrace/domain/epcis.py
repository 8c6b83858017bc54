"""Recorded events as GS1 EPCIS 2.0 JSON-LD events, with CBV 2.0 vocabulary.

Each recorded event becomes exactly one EPCIS event; ``docs/events.md`` gives the table and the reasons.  What EPCIS
has no slot for (our event and object ids, party and site ids, stream, fate, mass in grams, model, material, the
identifiers as scanned) goes into extension fields under the ``retrace:`` prefix, declared in the JSON-LD context
(``CONTEXT``), so nothing recorded is lost on the way out.

A correction is never an EPCIS event of its own: as EPCIS requires, the event it declares erroneous is sent again,
unchanged, with an ``errorDeclaration`` (declaration time, CBV reason, corrective event ids) added.

Identifiers become URIs by one rule each (``object_uri``): a GS1 key becomes its canonical Digital Link
``https://id.gs1.org/01/<GTIN-14>/21/<serial>`` whatever form it was scanned in (QR, SGTIN URN, SGTIN-96 hex); VINs,
GB/T 34014 battery codes, internal codes, lots, parties and sites become URIs under ``Naming.base``
(``urn:retrace:vin:…`` by default, or ``https://<resolver>/vin/…`` for a deployment that runs a resolver).

Pure: the caller passes the records and the objects they name; nothing here reads a store or a clock (except
``to_epcis_document`` with no records and no ``creation_date``).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from retrace.domain import errors as codes
from retrace.domain.changes import Direction, FlowRecord, RecordedEvent
from retrace.domain.errors import InvalidInput, NotFound
from retrace.domain.events import (
    Associate,
    Commission,
    Correct,
    Disassemble,
    Dispose,
    Event,
    NewItem,
    Receive,
    Remanufacture,
    Ship,
    Transform,
    Weigh,
)
from retrace.domain.identifiers import (
    BatteryCode,
    EpcHex,
    GraiUrn,
    Identifier,
    InternalCode,
    Scheme,
    Sgtin96Hex,
    SgtinUrn,
    SsccUrn,
    Vin,
    parse_digital_link,
    parse_identifier,
)
from retrace.domain.ledger import object_id_for
from retrace.domain.model import ObjectKind, TracedObject, kg

EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
VOCAB = "urn:retrace:epcis:"
"""Our extension vocabulary.  ``retrace:fate`` expands to ``urn:retrace:epcis:fate``."""
PREFIX = "retrace"
CONTEXT: tuple[str, Mapping[str, str]] = (EPCIS_CONTEXT_URL, {PREFIX: VOCAB})
SCHEMA_VERSION = "2.0"

BIZSTEP_RECYCLING = f"{VOCAB}bizstep:recycling"
"""CBV 2.0 has no business step for turning items or lots into material lots (shredding, smelting,
hydrometallurgy: 再生利用); ``destroying`` would say the mass is gone, which is the opposite of recycling."""

KILOGRAM = "KGM"  # UN/CEFACT Rec 20 code, as CBV 2.0 requires for quantities and sensor reports

# Event ids that are not URIs become name-based UUIDs in this namespace (stable: the same id, the same eventID).
_EVENT_NAMESPACE = uuid.UUID("0d6f3f0e-8a57-4b8e-b1f4-3c0c2a7e5d11")


@dataclass(frozen=True)
class EpcisShape:
    """How one of our event types looks in EPCIS 2.0: event type, action, CBV business step and disposition."""

    event_type: str
    action: str | None  # TransformationEvent has no action
    biz_step: str
    disposition: str | None  # None: the event does not change the objects' disposition


SHAPES: Mapping[str, EpcisShape] = {
    "commission": EpcisShape("ObjectEvent", "ADD", "commissioning", "active"),
    "ship": EpcisShape("ObjectEvent", "OBSERVE", "shipping", "in_transit"),
    "receive": EpcisShape("ObjectEvent", "OBSERVE", "receiving", "in_progress"),
    "weigh": EpcisShape("ObjectEvent", "OBSERVE", "sensor_reporting", None),
    "aggregate": EpcisShape("AggregationEvent", "ADD", "packing", None),
    "disaggregate": EpcisShape("AggregationEvent", "DELETE", "unpacking", None),
    "disassemble": EpcisShape("TransformationEvent", None, "disassembling", "active"),
    "transform": EpcisShape("TransformationEvent", None, BIZSTEP_RECYCLING, "active"),
    "remanufacture": EpcisShape("ObjectEvent", "OBSERVE", "repairing", "active"),
    "dispose": EpcisShape("ObjectEvent", "DELETE", "destroying", "destroyed"),
    # CBV commissioning is "associating an instance-level identifier with a specific object": the new identifiers
    # are commissioned (ADD) for an object that already exists.  Not an AssociationEvent: that links two physical
    # objects (a sensor to an asset), and a new code on a pack is no second object.  No disposition: it is unchanged.
    "associate": EpcisShape("ObjectEvent", "ADD", "commissioning", None),
}
"""Every event type but ``correct``, which re-emits its target with an ``errorDeclaration``."""


@dataclass(frozen=True)
class Naming:
    """Where our own URIs live.

    ``urn:retrace:`` (the default) gives ``urn:retrace:vin:LFV2A21K0D4010942``; ``retrace`` is not a registered URN
    namespace (RFC 8141), so a deployment that answers for its identifiers sets an ``https://`` base instead, e.g.
    ``https://trace.example.cn/id/`` gives ``https://trace.example.cn/id/vin/LFV2A21K0D4010942``.
    """

    base: str = "urn:retrace:"
    gs1_resolver: str = "https://id.gs1.org"  # the canonical Digital Link host EPCIS 2.0 uses for GS1 keys

    def __post_init__(self) -> None:
        urn = self.base.startswith("urn:") and self.base.endswith(":")
        web = self.base.startswith(("https://", "http://"))
        if not (urn or web):
            raise InvalidInput(
                f"naming base {self.base!r} must be 'urn:…:' or 'http(s)://…'",
                code=codes.VALIDATION_ERROR,
                message_zh="URI 前缀须为 urn:…: 或 http(s)://…",
                field="base",
            )

    def uri(self, kind: str, value: str) -> str:
        encoded = quote(value, safe="")
        if self.base.endswith(":"):
            return f"{self.base}{kind}:{encoded}"
        return f"{self.base.rstrip('/')}/{kind}/{encoded}"


DEFAULT_NAMING = Naming()

# -- identifiers ---------------------------------------------------------------------------------------------------

_URI = re.compile(
    r"^(?:urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:|https?://|ni:|tag:)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$"
)
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def event_uri(event_id: str) -> str:
    """The EPCIS ``eventID`` of one of our events.

    An id that already is a URI (``urn:…``, ``http(s)://…``, ``ni:…``, ``tag:…``) is kept; a bare UUID becomes
    ``urn:uuid:<uuid>``; anything else a name-based UUID derived from it, so the same id always gives the same URI.

    >>> event_uri("urn:uuid:4e2f1a2c-0000-4000-8000-000000000001")
    'urn:uuid:4e2f1a2c-0000-4000-8000-000000000001'
    >>> event_uri("4E2F1A2C-0000-4000-8000-000000000001")
    'urn:uuid:4e2f1a2c-0000-4000-8000-000000000001'
    >>> event_uri("scanner-7/000123") == event_uri("scanner-7/000123")
    True
    """
    if _URI.match(event_id) and not _BAD_PERCENT.search(event_id):
        return event_id
    if _UUID.match(event_id):
        return f"urn:uuid:{event_id.lower()}"
    return f"urn:uuid:{uuid.uuid5(_EVENT_NAMESPACE, event_id)}"


_PARSERS: dict[str, Callable[[str], Identifier]] = {
    Scheme.DIGITAL_LINK.value: parse_digital_link,
    Scheme.SGTIN_URN.value: SgtinUrn.parse,
    Scheme.SGTIN_HEX.value: Sgtin96Hex.parse,
    Scheme.SSCC_URN.value: SsccUrn.parse,
    Scheme.GRAI_URN.value: GraiUrn.parse,
    Scheme.EPC_HEX.value: EpcHex.parse,
    Scheme.BATTERY.value: BatteryCode.parse,
    Scheme.VIN.value: Vin.parse,
    Scheme.INTERNAL.value: InternalCode.parse,
}
_GS1_SCHEMES = (Scheme.DIGITAL_LINK.value, Scheme.SGTIN_URN.value, Scheme.SGTIN_HEX.value)
# When an item carries several identifiers, the EPC list names it by the first of these that it has: a GS1 key
# first (a trade item's, then a logistic unit's or a returnable asset's, in any form), then the others.
_PREFERENCE = (
    *_GS1_SCHEMES,
    Scheme.SSCC_URN.value,
    Scheme.GRAI_URN.value,
    Scheme.EPC_HEX.value,
    Scheme.BATTERY.value,
    Scheme.VIN.value,
    Scheme.INTERNAL.value,
)
# GS1 keys other than the SGTIN, by the prefix of their key: the Digital Link primary key they are named by.
_DIGITAL_LINK_KEYS = {"gs1:00/": "00", "gs1:8003/": "8003"}


def identifier_text(scheme: str, value: str) -> str:
    """An identifier as text that ``parse_identifier`` reads back to the same scheme and value.

    >>> identifier_text("vin", "LFV2A21K0D4010942")
    'vin:LFV2A21K0D4010942'
    >>> identifier_text("sgtin", "urn:epc:id:sgtin:0614141.812345.6789")
    'urn:epc:id:sgtin:0614141.812345.6789'
    """
    if scheme in (Scheme.DIGITAL_LINK.value, Scheme.SGTIN_URN.value):
        return value  # self-describing
    return f"{scheme}:{value}"


def object_uri(obj: TracedObject, naming: Naming = DEFAULT_NAMING) -> str:
    """The URI an EPCIS event names ``obj`` by: an instance for an item, the lot's class for a lot.

    >>> from datetime import UTC, datetime
    >>> from retrace.domain.model import ObjectKind, Status, Stream, TracedObject
    >>> tag = TracedObject("o1", ObjectKind.ITEM, (), (("sgtin96", "3074257BF7194E4000001A85"),), Stream.WEEE,
    ...                    30000, Status.ACTIVE, datetime(2024, 1, 1, tzinfo=UTC), "e1", "p", "s")
    >>> object_uri(tag)
    'https://id.gs1.org/01/80614141123458/21/6789'
    """
    pairs = dict(reversed(obj.identifiers))  # first value given wins for each scheme
    if obj.kind is ObjectKind.LOT:
        code = pairs.get(Scheme.INTERNAL.value)
        return naming.uri("lot", code if code is not None else obj.id)
    for scheme in _PREFERENCE:
        value = pairs.get(scheme)
        if value is not None:
            return identifier_uri(scheme, value, naming)
    return naming.uri("object", obj.id)


def identifier_uri(scheme: str, value: str, naming: Naming = DEFAULT_NAMING) -> str:
    """The URI of one identifier: a GS1 key in any form (SGTIN, SSCC, GRAI; URN, Digital Link or tag hex) is its
    canonical GS1 Digital Link, as EPCIS 2.0 recommends; anything else a URI under ``naming``.

    >>> identifier_uri("gbt34014", "0A1PE0500000000000000001")
    'urn:retrace:gbt34014:0A1PE0500000000000000001'
    >>> identifier_uri("sgtin", "urn:epc:id:sgtin:0614141.812345.6789")
    'https://id.gs1.org/01/80614141123458/21/6789'
    >>> identifier_uri("sscc", "urn:epc:id:sscc:0614141.1234567890")
    'https://id.gs1.org/00/106141412345678908'
    >>> identifier_uri("grai", "urn:epc:id:grai:0614141.12345.400")
    'https://id.gs1.org/8003/00614141123452400'
    """
    parser = _PARSERS.get(scheme)
    key = (parser(value) if parser else parse_identifier(identifier_text(scheme, value))).key
    resolver = naming.gs1_resolver.rstrip("/")
    if key.startswith("gs1:01/") and "/21/" in key:  # gs1:01/<gtin14>/21/<serial>
        gtin14, serial = key.removeprefix("gs1:01/").split("/21/", 1)
        return f"{resolver}/01/{gtin14}/21/{quote(serial, safe='')}"
    for prefix, ai in _DIGITAL_LINK_KEYS.items():
        if key.startswith(prefix):
            return f"{resolver}/{ai}/{quote(key.removeprefix(prefix), safe='')}"
    if value.startswith("urn:epc:id:"):
        return value
    return naming.uri(scheme, value)


def party_uri(party_id: str, naming: Naming = DEFAULT_NAMING) -> str:
    return naming.uri("party", party_id)


def reagents_uri(naming: Naming = DEFAULT_NAMING) -> str:
    """The class of the reagents a transformation declares (acid, water, soda ash: untraced, counted by mass), the
    ``epcClass`` of their quantity among its inputs."""
    return naming.uri("material", "reagents")


def site_uri(site_id: str, naming: Naming = DEFAULT_NAMING) -> str:
    return naming.uri("site", site_id)


# -- times ---------------------------------------------------------------------------------------------------------

_MAX_OFFSET_MINUTES = 14 * 60  # EPCIS eventTimeZoneOffset spans -14:00 … +14:00 in whole minutes


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def event_time(moment: datetime) -> tuple[str, str]:
    """``eventTime`` (RFC 3339, in the device's own offset) and ``eventTimeZoneOffset``.

    An offset EPCIS cannot express (seconds, or beyond ±14:00) is given in UTC instead; the instant is kept.

    >>> from datetime import timedelta, timezone
    >>> event_time(datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8))))
    ('2024-05-01T09:30:00+08:00', '+08:00')
    """
    moment = _aware(moment)
    offset = moment.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    if seconds % 60 or abs(seconds) > _MAX_OFFSET_MINUTES * 60 or (offset and offset.microseconds):
        moment, seconds = moment.astimezone(UTC), 0
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return moment.isoformat(), f"{sign}{hours:02d}:{minutes:02d}"


def _iso(moment: datetime) -> str:
    return _aware(moment).isoformat()


# -- events --------------------------------------------------------------------------------------------------------


def _ext(name: str) -> str:
    return f"{PREFIX}:{name}"


class _View:
    """One recorded event with the objects it names, as they were when it happened.

    An object the event changed is taken as it was before the event (``record.before``).  One it created is taken
    as given now, but with the identifiers the event gave it: an ``associate`` may have added some since, and the
    event must go on naming the object as it did when it was recorded."""

    def __init__(self, record: RecordedEvent, objects: Mapping[str, TracedObject], naming: Naming) -> None:
        self.record = record
        self.naming = naming
        self.before = {o.id: o for o in record.before}
        self.flows: dict[str, FlowRecord] = {}
        self.masses: dict[str, int] = {}
        for flow in record.flows:
            if flow.direction is Direction.REAGENT:
                continue  # the reagent part of a mass already counted on the object's own record
            self.flows.setdefault(flow.object_id, flow)
            # A lot of several streams has one record per stream: its mass is their sum.
            self.masses[flow.object_id] = self.masses.get(flow.object_id, 0) + flow.mass_g
        self.objects = objects
        self.created_with = _identifiers_at_creation(record.event)
        # associate: the identifiers it added, as (scheme, value), in the order given
        self.added: tuple[tuple[str, str], ...] = ()
        if isinstance(record.event, Associate):
            parsed = [parse_identifier(text) for text in record.event.identifiers]
            self.added = tuple((p.scheme.value, p.value) for p in parsed)

    def obj(self, object_id: str) -> TracedObject:
        found = self.before.get(object_id)
        if found is None:
            found = self.objects.get(object_id)
            given = self.created_with.get(object_id)
            if found is not None and given is not None:
                found = dataclasses.replace(found, identifiers=given)
        if found is None:
            raise NotFound(
                f"object {object_id} named by event {self.record.event_id} was not given",
                code=codes.OBJECT_NOT_FOUND,
                message_zh="事件涉及的物品未提供",
                field="objects",
                details={"object_id": object_id, "event_id": self.record.event_id},
            )
        return found

    def mass_g(self, object_id: str) -> int:
        """The mass as the event left it: the weighed mass, else the mass its flow recorded, else the mass before."""
        event = self.record.event
        if isinstance(event, Weigh):
            return event.mass_g
        mass = self.masses.get(object_id)
        return mass if mass is not None else self.obj(object_id).mass_g

    def fate(self, object_id: str) -> str | None:
        flow = self.flows.get(object_id)
        if flow is not None:
            return flow.fate
        fate = self.obj(object_id).fate
        return fate.value if fate is not None else None

    def ids(self, *roles: str) -> list[str]:
        return [oid for oid, role in self.record.object_roles if role in roles]

    def uri(self, object_id: str) -> str:
        return object_uri(self.obj(object_id), self.naming)

    def epcs(self, object_ids: Iterable[str]) -> list[str]:
        return [self.uri(oid) for oid in object_ids if self.obj(oid).kind is ObjectKind.ITEM]

    def quantities(self, object_ids: Iterable[str]) -> list[dict[str, Any]]:
        return [
            {"epcClass": self.uri(oid), "quantity": kg(self.mass_g(oid)), "uom": KILOGRAM}
            for oid in object_ids
            if self.obj(oid).kind is ObjectKind.LOT
        ]

    def described(self, object_id: str, role: str) -> dict[str, Any]:
        obj = self.obj(object_id)
        out: dict[str, Any] = {
            _ext("objectId"): obj.id,
            _ext("uri"): self.uri(object_id),
            _ext("role"): role,
            _ext("kind"): obj.kind.value,
            _ext("stream"): obj.stream.value,
            _ext("massG"): self.mass_g(object_id),
            # as the event left them: an associate's subject with the identifiers it added
            _ext("identifiers"): [identifier_text(s, v) for s, v in (*obj.identifiers, *self.added)],
        }
        optional = {
            "modelId": obj.model_id,
            "category": obj.category,
            "material": obj.material,
            "fate": self.fate(object_id),
        }
        out.update({_ext(name): value for name, value in optional.items() if value is not None})
        if obj.composition_g:  # a lot's assay: element recovery rates read it (docs/rates.md)
            out[_ext("compositionG")] = dict(obj.composition_g)
        return out


def _identifiers_at_creation(event: Event) -> dict[str, tuple[tuple[str, str], ...]]:
    """Object id → the identifiers a commission or disassembly gave each item it created (parts come first)."""
    specs: tuple[NewItem, ...] = ()
    if isinstance(event, Commission):
        specs = event.items
    elif isinstance(event, Disassemble):
        specs = event.parts
    out = {}
    for index, spec in enumerate(specs):
        parsed = [parse_identifier(text) for text in spec.identifiers]
        out[object_id_for(event.event_id, index)] = tuple((p.scheme.value, p.value) for p in parsed)
    return out


def _put_list(out: dict[str, Any], name: str, values: list[Any]) -> None:
    if values:
        out[name] = values


def _body(record: RecordedEvent, objects: Mapping[str, TracedObject], naming: Naming) -> dict[str, Any]:
    """The EPCIS event for a record of any type but ``correct``."""
    event = record.event
    shape = SHAPES[event.type]
    view = _View(record, objects, naming)
    when, offset = event_time(event.event_time)
    out: dict[str, Any] = {
        "type": shape.event_type,
        "eventID": event_uri(event.event_id),
        "eventTime": when,
        "eventTimeZoneOffset": offset,
        "recordTime": _iso(record.recorded_at),
    }
    if shape.action is not None:
        out["action"] = shape.action

    if isinstance(event, Associate):
        # What is commissioned is the new identifiers; the object they now also name is the one its old URI names.
        out["epcList"] = [identifier_uri(s, v, naming) for s, v in view.added]
        out["ilmd"] = {_ext("sameAs"): view.uri(view.ids("subject")[0])}
    elif shape.event_type == "ObjectEvent":
        subjects = view.ids("output") if event.type == "commission" else view.ids("subject")
        out["epcList"] = view.epcs(subjects)  # always present: EPCIS needs epcList or quantityList
        _put_list(out, "quantityList", view.quantities(subjects))
    elif shape.event_type == "AggregationEvent":
        out["parentID"] = view.uri(view.ids("parent")[0])
        children = view.ids("child")
        _put_list(out, "childEPCs", view.epcs(children))
        _put_list(out, "childQuantityList", view.quantities(children))
    else:  # TransformationEvent
        inputs, outputs = view.ids("input"), view.ids("output")
        _put_list(out, "inputEPCList", view.epcs(inputs))
        consumed = view.quantities(inputs)
        if isinstance(event, Transform) and event.reagents_g:
            # Reagents are an input of the transformation that is no traced object: a quantity of their class.
            consumed.append(
                {"epcClass": reagents_uri(naming), "quantity": kg(event.reagents_g), "uom": KILOGRAM}
            )
        _put_list(out, "inputQuantityList", consumed)
        _put_list(out, "outputEPCList", view.epcs(outputs))
        _put_list(out, "outputQuantityList", view.quantities(outputs))

    out["bizStep"] = shape.biz_step
    if shape.disposition is not None:
        out["disposition"] = shape.disposition
    site = site_uri(event.site_id, naming)
    out["readPoint"] = {"id": site}
    if not isinstance(event, Ship | Dispose):  # in transit or destroyed: no longer at a business location
        out["bizLocation"] = {"id": site}
    _source_destination(out, event, naming)
    if isinstance(event, Weigh):
        out["sensorElementList"] = [
            {"sensorReport": [{"type": "Mass", "value": kg(event.mass_g), "uom": KILOGRAM}]}
        ]

    out.update(_extensions(record, view))
    return out


def _source_destination(out: dict[str, Any], event: Event, naming: Naming) -> None:
    """Custody in CBV terms: we record who possesses an object, not who owns it, so ``owning_party`` is not
    claimed."""
    if isinstance(event, Ship):
        out["sourceList"] = [
            {"type": "possessing_party", "source": party_uri(event.party_id, naming)},
            {"type": "location", "source": site_uri(event.site_id, naming)},
        ]
        destinations = [{"type": "possessing_party", "destination": party_uri(event.to_party_id, naming)}]
        if event.to_site_id is not None:
            destinations.append({"type": "location", "destination": site_uri(event.to_site_id, naming)})
        out["destinationList"] = destinations
    elif isinstance(event, Receive):
        if event.from_party_id:
            out["sourceList"] = [
                {"type": "possessing_party", "source": party_uri(event.from_party_id, naming)}
            ]
        out["destinationList"] = [
            {"type": "possessing_party", "destination": party_uri(event.party_id, naming)},
            {"type": "location", "destination": site_uri(event.site_id, naming)},
        ]


def _extensions(record: RecordedEvent, view: _View) -> dict[str, Any]:
    event = record.event
    out: dict[str, Any] = {
        _ext("eventId"): event.event_id,
        _ext("eventType"): event.type,
        _ext("partyId"): event.party_id,
        _ext("siteId"): event.site_id,
        _ext("fingerprint"): record.fingerprint,
    }
    if isinstance(event, Ship):
        out[_ext("toPartyId")] = event.to_party_id
        if event.to_site_id is not None:
            out[_ext("toSiteId")] = event.to_site_id
    elif isinstance(event, Receive) and event.from_party_id:
        out[_ext("fromPartyId")] = event.from_party_id
    elif isinstance(event, Weigh):
        out[_ext("massG")] = event.mass_g
    elif isinstance(event, Dispose):
        out[_ext("fate")] = event.fate.value
    elif isinstance(event, Remanufacture):
        if event.value_cny is not None:
            out[_ext("valueCny")] = event.value_cny
        if event.fate is not None:  # reuse (cascade use); remanufacture, the default, is left out
            out[_ext("fate")] = event.fate.value
    elif isinstance(event, Transform) and event.reagents_g:
        out[_ext("reagentsG")] = event.reagents_g
    elif isinstance(event, Associate):
        out[_ext("identifiers")] = [identifier_text(s, v) for s, v in view.added]
    out[_ext("objects")] = [view.described(oid, role) for oid, role in record.object_roles]
    return out


def _error_declaration(record: RecordedEvent) -> dict[str, Any]:
    event = record.event
    assert isinstance(event, Correct)
    declared_at, _ = event_time(event.event_time)
    out: dict[str, Any] = {
        "declarationTime": declared_at,
        # CBV 2.0 has two reasons: replaced by corrective events means the data was wrong, none means it never was.
        "reason": "incorrect_data" if event.corrective_event_ids else "did_not_occur",
    }
    if event.corrective_event_ids:
        out["correctiveEventIDs"] = [event_uri(i) for i in event.corrective_event_ids]
    out.update(
        {
            _ext("eventId"): event.event_id,
            _ext("eventType"): event.type,
            _ext("partyId"): event.party_id,
            _ext("siteId"): event.site_id,
            _ext("reason"): event.reason,
            _ext("fingerprint"): record.fingerprint,
        }
    )
    if event.corrective_event_ids:
        out[_ext("correctiveEventIds")] = list(event.corrective_event_ids)
    return out


def to_epcis(
    record: RecordedEvent,
    objects: Mapping[str, TracedObject],
    *,
    targets: Mapping[str, RecordedEvent] | None = None,
    naming: Naming = DEFAULT_NAMING,
) -> dict[str, Any]:
    """One recorded event as a stand-alone EPCIS 2.0 JSON-LD event (with its ``@context``).

    ``objects`` holds, by object id, every object the record names (``record.object_roles``); objects the event
    changed are also found in ``record.before``.  A ``correct`` record needs the event it corrects in ``targets``
    (by event id) and its objects in ``objects``: it comes out as that event with an ``errorDeclaration``, and
    ``recordTime`` the time the correction was recorded.
    """
    event = record.event
    if isinstance(event, Correct):
        target = (targets or {}).get(event.target_event_id)
        if target is None:
            raise NotFound(
                f"event {event.target_event_id!r} corrected by {event.event_id!r} was not given",
                code=codes.EVENT_NOT_FOUND,
                message_zh="被更正的事件未提供",
                field="target_event_id",
            )
        body = _body(target, objects, naming)
        body["recordTime"] = _iso(record.recorded_at)
        body["errorDeclaration"] = _error_declaration(record)
    else:
        body = _body(record, objects, naming)
    return {"@context": [CONTEXT[0], dict(CONTEXT[1])], **body}


def to_epcis_document(
    records: Sequence[RecordedEvent],
    objects: Mapping[str, TracedObject],
    *,
    targets: Mapping[str, RecordedEvent] | None = None,
    naming: Naming = DEFAULT_NAMING,
    creation_date: datetime | None = None,
) -> dict[str, Any]:
    """An ``EPCISDocument`` holding one EPCIS event per record, in the order given.

    Corrections find their targets among ``records`` first, then in ``targets``.  ``creationDate`` is
    ``creation_date``, else the latest ``recorded_at`` of the records (so the same records give the same
    document), else now.
    """
    known = {**(targets or {}), **{r.event_id: r for r in records}}
    events = []
    for record in records:
        event = to_epcis(record, objects, targets=known, naming=naming)
        del event["@context"]  # the document's context applies to every event in it
        events.append(event)
    if creation_date is None:
        creation_date = max((_aware(r.recorded_at) for r in records), default=None) or datetime.now(UTC)
    return {
        "@context": [CONTEXT[0], dict(CONTEXT[1])],
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _iso(creation_date),
        "epcisBody": {"eventList": events},
    }
