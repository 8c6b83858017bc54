"""JSON bodies for the API tests: a small registry and builders of capture events, as a client would send them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.world import CST

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)

Json = dict[str, Any]


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def registry() -> Json:
    licensed = ["collector", "dismantler", "recycler"]
    regions = {"maker": "440300", "collector": "440300", "dismantler": "430100", "recycler": "430100"}
    return {
        "parties": [
            {"id": "maker", "name": "Maker", "name_zh": "制造商", "roles": ["producer"], "region": "440300"},
            {"id": "collector", "name": "Collector", "roles": ["collector"], "region": "440300"},
            {"id": "dismantler", "name": "Dismantler", "roles": ["dismantler"], "region": "430100"},
            {"id": "recycler", "name": "Recycler", "roles": ["recycler"], "region": "430100"},
        ],
        "licences": [
            {
                "number": f"LIC-{p}",
                "party_id": p,
                "streams": ["weee", "elv", "battery"],
                "valid_from": "2020-01-01",
                "valid_to": "2030-12-31",
            }
            for p in licensed
        ],
        "sites": [
            {"id": f"site-{p}", "name": f"{p} yard", "party_id": p, "region": region}
            for p, region in regions.items()
        ],
        "models": [
            {
                "id": "tv",
                "producer_id": "maker",
                "stream": "weee",
                "category": "tv",
                "name": "55in TV",
                "nominal_mass_kg": 30,
                "composition_kg": {"steel": 12, "plastics": 9, "copper": 2},
                "gtin": "80614141123458",
            },
            {
                "id": "bev",
                "producer_id": "maker",
                "stream": "elv",
                "category": "passenger_car",
                "name": "BEV",
                "nominal_mass_kg": 1600,
            },
            {
                "id": "pack",
                "producer_id": "maker",
                "stream": "battery",
                "category": "ncm_pack",
                "name": "Pack",
                "nominal_mass_kg": "400.5",
            },
        ],
    }


def _event(kind: str, event_id: str, when: float, party: str, **fields: Any) -> Json:
    return {
        "type": kind,
        "event_id": event_id,
        "event_time": at(when),
        "site_id": f"site-{party}",
        "party_id": party,
        **fields,
    }


def commission(
    event_id: str, when: float, *identifiers: str, model: str = "tv", mass_kg: float | None = None
) -> Json:
    item: Json = {"identifiers": list(identifiers), "model_id": model}
    if mass_kg is not None:
        item["mass_kg"] = mass_kg
    return _event("commission", event_id, when, "maker", items=[item])


def ship(event_id: str, when: float, party: str, to: str, *objects: str) -> Json:
    return _event(
        "ship", event_id, when, party, objects=list(objects), to_party_id=to, to_site_id=f"site-{to}"
    )


def receive(event_id: str, when: float, party: str, *objects: str) -> Json:
    return _event("receive", event_id, when, party, objects=list(objects))


def associate(event_id: str, when: float, party: str, obj: str, *identifiers: str) -> Json:
    return _event("associate", event_id, when, party, object=obj, identifiers=list(identifiers))


def lot(code: str, material: str, mass_kg: float, fate: str = "recycling") -> Json:
    return {"code": code, "material": material, "mass_kg": mass_kg, "fate": fate}


def disassemble(event_id: str, when: float, party: str, obj: str, *lots: Json) -> Json:
    return _event("disassemble", event_id, when, party, object=obj, lots=list(lots))


def transform(event_id: str, when: float, party: str, inputs: list[str], *outputs: Json) -> Json:
    return _event("transform", event_id, when, party, inputs=inputs, outputs=list(outputs))


def tv_life(tv: str) -> list[Json]:
    """A TV from its producer through a collector to a dismantler, and its copper on to a recycler."""
    return [
        commission("tv-c", 0, tv),
        ship("tv-s1", 1, "maker", "collector", tv),
        receive("tv-r1", 2, "collector", tv),
        ship("tv-s2", 3, "collector", "dismantler", tv),
        receive("tv-r2", 4, "dismantler", tv),
        disassemble(
            "tv-d",
            5,
            "dismantler",
            tv,
            lot("STEEL-1", "steel", 12),
            lot("PLASTIC-1", "plastics", 9),
            lot("CU-1", "copper", 2),
        ),
        ship("cu-s", 6, "dismantler", "recycler", "CU-1"),
        receive("cu-r", 7, "recycler", "CU-1"),
        transform("cu-t", 8, "recycler", ["CU-1"], lot("CU-CATHODE-1", "copper_cathode", 1.9)),
    ]
