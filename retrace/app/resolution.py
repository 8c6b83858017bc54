"""Use case: resolve a scanned label's link to what the platform knows about the object.

Rules: the path of the request is read as a GS1 Digital Link (``/01/{gtin}/21/{serial}``, key qualifiers allowed;
``/00/{sscc}``; ``/8003/{grai}`` with the GRAI's serial) or as a platform path (``/id/{scheme}/{value}``); one that
cannot be read is INVALID_LINK (the web's 400, not a rejected capture); one that names no object is OBJECT_NOT_FOUND.
The answer is the object in its current state, its product model and producer, who holds it and where, the most recent
events (newest first) and the object's canonical link (the one its label carries).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrace.app.ports import GraphStore
from retrace.domain import errors as codes
from retrace.domain.changes import RecordedEvent
from retrace.domain.errors import NotFound
from retrace.domain.links import ObjectLink, check_base, key_for_path, link_for
from retrace.domain.model import Party, ProductModel, Site, TracedObject

RECENT_EVENTS = 10


@dataclass(frozen=True)
class Resolution:
    obj: TracedObject
    key: str  # the identifier key the request named
    canonical: ObjectLink | None  # None for a voided object (no identifier left to print)
    model: ProductModel | None
    producer: Party | None
    holder: Party | None
    site: Site | None
    in_transit_to: Party | None
    recent: list[RecordedEvent]  # newest first
    event_count: int
    parties: dict[str, Party] = field(default_factory=dict)  # every party named above or in ``recent``
    sites: dict[str, Site] = field(default_factory=dict)


@dataclass
class ResolveLink:
    store: GraphStore
    resolver_base: str
    recent: int = RECENT_EVENTS

    def __post_init__(self) -> None:
        self.resolver_base = check_base(self.resolver_base)

    async def execute(self, raw_path: str) -> Resolution:
        key = key_for_path(raw_path)
        found = await self.store.find_by_keys([key])
        if key not in found:
            raise NotFound(
                f"no object is known by {raw_path!r}",
                code=codes.OBJECT_NOT_FOUND,
                message_zh=f"找不到链接 {raw_path!r} 对应的物品",
                field="path",
                details={"key": key},
            )
        obj = found[key]
        history = await self.store.history(obj.id)
        recent = list(reversed(history[-self.recent :])) if self.recent > 0 else []
        models = await self.store.get_models([obj.model_id] if obj.model_id else [])
        model = models.get(obj.model_id) if obj.model_id else None
        party_ids = [
            *(p for p in (obj.holder_id, obj.in_transit_to) if p),
            *([model.producer_id] if model else []),
            *(r.event.party_id for r in recent),
        ]
        site_ids = [*([obj.site_id] if obj.site_id else []), *(r.event.site_id for r in recent)]
        parties = await self.store.get_parties(party_ids)
        sites = await self.store.get_sites(site_ids)
        return Resolution(
            obj=obj,
            key=key,
            canonical=link_for(obj.keys, self.resolver_base) if obj.keys else None,
            model=model,
            producer=parties.get(model.producer_id) if model else None,
            holder=parties.get(obj.holder_id) if obj.holder_id else None,
            site=sites.get(obj.site_id) if obj.site_id else None,
            in_transit_to=parties.get(obj.in_transit_to) if obj.in_transit_to else None,
            recent=recent,
            event_count=len(history),
            parties=parties,
            sites=sites,
        )
