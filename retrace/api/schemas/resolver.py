"""What the resolver answers an API client: the object, its passport-style data, and its links (RFC 9264)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from retrace.api.schemas.common import MassKgOut
from retrace.api.schemas.views import ItemView
from retrace.app.resolution import Resolution
from retrace.domain.model import Party, Site, Stream

_KG = Decimal(1000)


class PartyRef(BaseModel):
    id: str = Field(description="The party's id.")
    name: str = Field(description="Its name.")
    name_zh: str = Field(description="Its Chinese name.")

    @classmethod
    def of(cls, party: Party | None, party_id: str | None = None) -> PartyRef | None:
        if party is not None:
            return cls(id=party.id, name=party.name, name_zh=party.name_zh)
        return cls(id=party_id, name=party_id, name_zh="") if party_id else None


class SiteRef(BaseModel):
    id: str = Field(description="The site's id.")
    name: str = Field(description="Its name.")
    name_zh: str = Field(description="Its Chinese name.")

    @classmethod
    def of(cls, site: Site | None, site_id: str | None = None) -> SiteRef | None:
        if site is not None:
            return cls(id=site.id, name=site.name, name_zh=site.name_zh)
        return cls(id=site_id, name=site_id, name_zh="") if site_id else None


class Passport(BaseModel):
    """Passport-style data of the object: what it is made of, by whom, and when it came into the graph."""

    model_id: str | None = Field(description="The registered product model.")
    model_name: str | None = Field(description="The model's name.")
    category: str | None = Field(description="Product category (items) or material (lots).")
    stream: Stream = Field(description="weee, elv or battery.")
    producer: PartyRef | None = Field(description="The producer of the model (EPR).")
    nominal_mass_kg: MassKgOut | None = Field(description="The model's nominal mass.")
    composition_kg: dict[str, MassKgOut] = Field(description="Materials in one unit of the model, in kg.")
    gtin: str | None = Field(description="The model's GTIN, if it has one.")
    commissioned_at: datetime = Field(description="When the object came into the graph.")
    commissioned_by_event: str = Field(description="The event that created it.")


class RecentEvent(BaseModel):
    event_id: str = Field(description="The event's id.")
    type: str = Field(description="commission, ship, receive, weigh, disassemble …")
    event_time: datetime = Field(description="When it happened.")
    party: PartyRef | None = Field(description="Who recorded it.")
    site: SiteRef | None = Field(description="Where.")
    roles: list[str] = Field(description="What the object was in it (subject, input, output …).")
    corrected_by: str | None = Field(description="The correcting event, if this one was declared erroneous.")


class ResolvedItem(BaseModel):
    """The resolver's JSON answer (``Accept: application/json``)."""

    anchor: str = Field(description="The link that was resolved (the link context of `linkset`).")
    canonical_link: str | None = Field(description="The link this object's label carries.")
    item: ItemView = Field(description="The object as it is now.")
    passport: Passport = Field(description="What it is, made of what, by whom.")
    holder: PartyRef | None = Field(description="Who holds it (or last held it).")
    site: SiteRef | None = Field(description="Where it is (or last was).")
    in_transit_to: PartyRef | None = Field(description="Whom it was shipped to, while in transit.")
    recent_events: list[RecentEvent] = Field(description="The latest events, newest first.")
    event_count: int = Field(description="How many events touched it in all.")
    linkset: list[dict[str, Any]] = Field(
        description="The object's links as an RFC 9264 linkset (one link context object, relation types are "
        "GS1 Web Vocabulary link types such as `https://gs1.org/voc/traceability`)."
    )

    @classmethod
    def of(cls, resolution: Resolution, anchor: str, linkset: list[dict[str, Any]]) -> ResolvedItem:
        obj, model = resolution.obj, resolution.model
        passport = Passport(
            model_id=obj.model_id,
            model_name=model.name if model else None,
            category=obj.category or obj.material,
            stream=obj.stream,
            producer=PartyRef.of(resolution.producer, model.producer_id if model else None),
            nominal_mass_kg=Decimal(model.nominal_mass_g) / _KG if model else None,
            composition_kg={k: Decimal(v) / _KG for k, v in sorted(model.composition_g.items())}
            if model
            else {},
            gtin=model.gtin if model else None,
            commissioned_at=obj.created_at,
            commissioned_by_event=obj.created_by_event,
        )
        recent = [
            RecentEvent(
                event_id=r.event_id,
                type=r.event.type,
                event_time=r.event.event_time,
                party=PartyRef.of(resolution.parties.get(r.event.party_id), r.event.party_id),
                site=SiteRef.of(resolution.sites.get(r.event.site_id), r.event.site_id),
                roles=[role for oid, role in r.object_roles if oid == obj.id],
                corrected_by=r.corrected_by,
            )
            for r in resolution.recent
        ]
        return cls(
            anchor=anchor,
            canonical_link=resolution.canonical.uri if resolution.canonical else None,
            item=ItemView.of(obj),
            passport=passport,
            holder=PartyRef.of(resolution.holder, obj.holder_id),
            site=SiteRef.of(resolution.site, obj.site_id),
            in_transit_to=PartyRef.of(resolution.in_transit_to, obj.in_transit_to),
            recent_events=recent,
            event_count=resolution.event_count,
            linkset=linkset,
        )
