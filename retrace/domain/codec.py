"""Plain-data forms of domain records, so every store persists and returns exactly the same thing.

Stores keep the indexed fields in their own columns or properties and the rest as the JSON these functions give.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from retrace.domain.changes import Direction, FlowRecord, RecordedEvent, Stage
from retrace.domain.events import event_from_payload
from retrace.domain.model import (
    Fate,
    Licence,
    ObjectKind,
    Party,
    ProductModel,
    RegionCode,
    Role,
    Site,
    Status,
    Stream,
    TracedObject,
)


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def object_to_dict(obj: TracedObject) -> dict[str, Any]:
    return {
        "id": obj.id,
        "kind": obj.kind.value,
        "keys": list(obj.keys),
        "identifiers": [list(pair) for pair in obj.identifiers],
        "stream": obj.stream.value,
        "mass_g": obj.mass_g,
        "status": obj.status.value,
        "created_at": obj.created_at.isoformat(),
        "created_by_event": obj.created_by_event,
        "holder_id": obj.holder_id,
        "site_id": obj.site_id,
        "model_id": obj.model_id,
        "category": obj.category,
        "material": obj.material,
        "fate": obj.fate.value if obj.fate else None,
        "parent_id": obj.parent_id,
        "in_transit_to": obj.in_transit_to,
        "last_event_id": obj.last_event_id,
        "version": obj.version,
        "remanufactured": obj.remanufactured,
        "origin_site_id": obj.origin_site_id,
        "origin_at": obj.origin_at.isoformat() if obj.origin_at else None,
        "composition_g": dict(obj.composition_g),
        "reagent_g": obj.reagent_g,
        "stream_mix": dict(obj.stream_mix),
    }


def object_from_dict(data: dict[str, Any]) -> TracedObject:
    return TracedObject(
        id=data["id"],
        kind=ObjectKind(data["kind"]),
        keys=tuple(data["keys"]),
        identifiers=tuple((str(s), str(v)) for s, v in data["identifiers"]),
        stream=Stream(data["stream"]),
        mass_g=int(data["mass_g"]),
        status=Status(data["status"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        created_by_event=data["created_by_event"],
        holder_id=data["holder_id"],
        site_id=data["site_id"],
        model_id=data["model_id"],
        category=data["category"],
        material=data["material"],
        fate=Fate(data["fate"]) if data["fate"] else None,
        parent_id=data["parent_id"],
        in_transit_to=data["in_transit_to"],
        last_event_id=data["last_event_id"],
        version=int(data["version"]),
        remanufactured=bool(data.get("remanufactured", False)),
        origin_site_id=data.get("origin_site_id"),
        origin_at=_instant(data.get("origin_at")),
        composition_g=tuple((str(k), int(v)) for k, v in (data.get("composition_g") or {}).items()),
        reagent_g=int(data.get("reagent_g") or 0),
        stream_mix=tuple(sorted((str(k), int(v)) for k, v in (data.get("stream_mix") or {}).items())),
    )


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def flow_to_dict(flow: FlowRecord) -> dict[str, Any]:
    return {
        "event_id": flow.event_id,
        "site_id": flow.site_id,
        "party_id": flow.party_id,
        "event_time": flow.event_time.isoformat(),
        "direction": flow.direction.value,
        "stream": flow.stream.value,
        "material": flow.material,
        "fate": flow.fate,
        "mass_g": flow.mass_g,
        "object_id": flow.object_id,
        "reverses": flow.reverses,
        "stage": flow.stage.value if flow.stage else None,
        "model_id": flow.model_id,
        "origin_site_id": flow.origin_site_id,
        "origin_at": flow.origin_at.isoformat() if flow.origin_at else None,
        "prior_fate": flow.prior_fate,
        "counterparty_id": flow.counterparty_id,
        "value_cny": flow.value_cny,
        "elements_g": dict(flow.elements_g),
    }


def flow_from_dict(data: dict[str, Any]) -> FlowRecord:
    return FlowRecord(
        event_id=data["event_id"],
        site_id=data["site_id"],
        party_id=data["party_id"],
        event_time=datetime.fromisoformat(data["event_time"]),
        direction=Direction(data["direction"]),
        stream=Stream(data["stream"]),
        material=data["material"],
        fate=data["fate"],
        mass_g=int(data["mass_g"]),
        object_id=data["object_id"],
        reverses=bool(data.get("reverses", False)),
        stage=Stage(data["stage"]) if data.get("stage") else None,
        model_id=data.get("model_id"),
        origin_site_id=data.get("origin_site_id"),
        origin_at=_instant(data.get("origin_at")),
        prior_fate=data.get("prior_fate"),
        counterparty_id=data.get("counterparty_id"),
        value_cny=int(data.get("value_cny") or 0),
        elements_g=tuple((str(k), int(v)) for k, v in (data.get("elements_g") or {}).items()),
    )


def record_to_dict(record: RecordedEvent) -> dict[str, Any]:
    return {
        "event": record.event.payload(),
        "fingerprint": record.fingerprint,
        "recorded_at": record.recorded_at.isoformat(),
        "object_roles": [list(p) for p in record.object_roles],
        "created_ids": list(record.created_ids),
        "before": [object_to_dict(o) for o in record.before],
        "flows": [flow_to_dict(f) for f in record.flows],
        "corrected_by": record.corrected_by,
    }


def record_from_dict(data: dict[str, Any]) -> RecordedEvent:
    return RecordedEvent(
        event=event_from_payload(data["event"]),
        fingerprint=data["fingerprint"],
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        object_roles=tuple((str(o), str(r)) for o, r in data["object_roles"]),
        created_ids=tuple(data["created_ids"]),
        before=tuple(object_from_dict(o) for o in data["before"]),
        flows=tuple(flow_from_dict(f) for f in data["flows"]),
        corrected_by=data.get("corrected_by"),
    )


def party_to_dict(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "name_zh": party.name_zh,
        "roles": sorted(r.value for r in party.roles),
        "region": party.region.code,
    }


def party_from_dict(data: dict[str, Any]) -> Party:
    return Party(
        id=data["id"],
        name=data["name"],
        name_zh=data.get("name_zh", ""),
        roles=frozenset(Role(r) for r in data["roles"]),
        region=RegionCode(data["region"]),
    )


def licence_to_dict(licence: Licence) -> dict[str, Any]:
    return {
        "number": licence.number,
        "party_id": licence.party_id,
        "streams": sorted(s.value for s in licence.streams),
        "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat(),
    }


def licence_from_dict(data: dict[str, Any]) -> Licence:
    return Licence(
        number=data["number"],
        party_id=data["party_id"],
        streams=frozenset(Stream(s) for s in data["streams"]),
        valid_from=date.fromisoformat(data["valid_from"]),
        valid_to=date.fromisoformat(data["valid_to"]),
    )


def site_to_dict(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "name_zh": site.name_zh,
        "party_id": site.party_id,
        "region": site.region.code,
    }


def site_from_dict(data: dict[str, Any]) -> Site:
    return Site(
        id=data["id"],
        name=data["name"],
        name_zh=data.get("name_zh", ""),
        party_id=data["party_id"],
        region=RegionCode(data["region"]),
    )


def model_to_dict(model: ProductModel) -> dict[str, Any]:
    return {
        "id": model.id,
        "producer_id": model.producer_id,
        "stream": model.stream.value,
        "category": model.category,
        "name": model.name,
        "nominal_mass_g": model.nominal_mass_g,
        "composition_g": dict(sorted(model.composition_g.items())),
        "gtin": model.gtin,
    }


def model_from_dict(data: dict[str, Any]) -> ProductModel:
    return ProductModel(
        id=data["id"],
        producer_id=data["producer_id"],
        stream=Stream(data["stream"]),
        category=data["category"],
        name=data["name"],
        nominal_mass_g=int(data["nominal_mass_g"]),
        composition_g={k: int(v) for k, v in data["composition_g"].items()},
        gtin=data.get("gtin"),
    )
