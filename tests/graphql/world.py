"""The small world of ``tests/world.py`` as GraphQL variables: the registry and the battery chain's events."""

from __future__ import annotations

from typing import Any

from retrace.domain.events import Event
from tests.world import battery_chain, registration

Json = dict[str, Any]

REGISTER = """
mutation Register($input: RegistrationInput!) {
  register_master_data(input: $input) { parties licences sites models }
}
"""

RECORD = """
mutation Record($events: [EventInput!]!) {
  record_events(events: $events) {
    created
    replayed
    outcomes { event_id status recorded_at created_ids created { id kind } }
  }
}
"""


def _kg(grams: int | None) -> float | None:
    return None if grams is None else grams / 1000


def registration_input() -> Json:
    world = registration()
    return {
        "parties": [
            {
                "id": p.id,
                "name": p.name,
                "name_zh": p.name_zh,
                "roles": sorted(r.name for r in p.roles),
                "region": p.region.code,
            }
            for p in world.parties
        ],
        "licences": [
            {
                "number": lic.number,
                "party_id": lic.party_id,
                "streams": sorted(s.name for s in lic.streams),
                "valid_from": lic.valid_from.isoformat(),
                "valid_to": lic.valid_to.isoformat(),
            }
            for lic in world.licences
        ],
        "sites": [
            {"id": s.id, "name": s.name, "party_id": s.party_id, "region": s.region.code} for s in world.sites
        ],
        "models": [
            {
                "id": m.id,
                "producer_id": m.producer_id,
                "stream": m.stream.name,
                "category": m.category,
                "name": m.name,
                "nominal_mass_kg": _kg(m.nominal_mass_g),
                "composition": [{"material": k, "mass_kg": _kg(g)} for k, g in m.composition_g.items()],
            }
            for m in world.models
        ],
    }


def _fields(value: Any) -> Any:
    if isinstance(value, dict):
        out: Json = {}
        for key, item in value.items():
            if key == "mass_g":
                out["mass_kg"] = _kg(item)
            elif key == "fate":
                out[key] = None if item is None else str(item).upper()
            else:
                out[key] = _fields(item)
        return out
    if isinstance(value, list):
        return [_fields(v) for v in value]
    return value


def event_input(event: Event) -> Json:
    """A domain event as a GraphQL ``EventInput`` (``{"<type>": {fields}}``, masses in kg, enums by name)."""
    payload = event.payload()
    kind = payload.pop("type")
    return {kind: _fields(payload)}


def chain_inputs() -> list[Json]:
    return [event_input(e) for e in battery_chain()]
