"""Master data as JSON: parties, licences, sites and product models (compositions in kilograms)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from pydantic import Field

from retrace.api.schemas.common import Id, MassKg, RequestModel
from retrace.app.registry import Registration
from retrace.domain.errors import TraceError
from retrace.domain.identifiers import DigitalLink
from retrace.domain.model import Licence, Party, ProductModel, RegionCode, Role, Site, Stream, grams_from_kg

Region = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{6}$",
        description="GB/T 2260 administrative division code (6 digits), e.g. 310000.",
        examples=["310115"],
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]

S = TypeVar("S")
R = TypeVar("R")


class PartyIn(RequestModel):
    id: Id = Field(description="Stable id chosen by the registrant, e.g. a unified social credit code.")
    name: Name = Field(description="Name in English (or transliterated).")
    name_zh: Annotated[str, Field(max_length=200)] = Field("", description="中文名称。")
    roles: list[Role] = Field(
        min_length=1, description="What the party does (producer, collector, dismantler …)."
    )
    region: Region

    def to_domain(self) -> Party:
        return Party(
            id=self.id,
            name=self.name,
            name_zh=self.name_zh,
            roles=frozenset(self.roles),
            region=RegionCode(self.region),
        )


class LicenceIn(RequestModel):
    number: Id = Field(description="Licence number as issued.")
    party_id: Id = Field(description="The licensed party (registered, or in the same request).")
    streams: list[Stream] = Field(min_length=1, description="Streams the licence covers.")
    valid_from: date = Field(description="First day of validity.")
    valid_to: date = Field(description="Last day of validity.")

    def to_domain(self) -> Licence:
        return Licence(
            number=self.number,
            party_id=self.party_id,
            streams=frozenset(self.streams),
            valid_from=self.valid_from,
            valid_to=self.valid_to,
        )


class SiteIn(RequestModel):
    id: Id = Field(description="Stable site id.")
    name: Name = Field(description="Name in English (or transliterated).")
    name_zh: Annotated[str, Field(max_length=200)] = Field("", description="中文名称。")
    party_id: Id = Field(description="The operating party.")
    region: Region

    def to_domain(self) -> Site:
        return Site(
            id=self.id,
            name=self.name,
            name_zh=self.name_zh,
            party_id=self.party_id,
            region=RegionCode(self.region),
        )


class ProductModelIn(RequestModel):
    id: Id = Field(description="Stable product model id.")
    producer_id: Id = Field(description="The producer (a party with the producer role).")
    stream: Stream = Field(description="weee, elv or battery.")
    category: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Product category (tv, refrigerator, passenger_car, ncm_pack …)."
    )
    name: Name = Field(description="Model name.")
    nominal_mass_kg: MassKg = Field(description="Mass of one unit in kg.")
    composition_kg: dict[Annotated[str, Field(min_length=1, max_length=64)], MassKg] = Field(
        default_factory=dict,
        description="Kilograms of each material in one unit (steel, copper, plastics …); sums to at most the "
        "nominal mass.",
    )
    gtin: Annotated[str, Field(pattern=r"^[0-9]{8,14}$")] | None = Field(
        None, description="GTIN of the model, if it has one (check digit verified; stored as GTIN-14)."
    )

    def to_domain(self) -> ProductModel:
        gtin14 = None
        if self.gtin is not None:
            try:
                gtin14 = DigitalLink.for_unit("https://id.gs1.org", self.gtin.zfill(14), "0").unit.gtin14
            except TraceError as e:
                raise e.at_field("gtin") from None
        return ProductModel(
            id=self.id,
            producer_id=self.producer_id,
            stream=self.stream,
            category=self.category,
            name=self.name,
            nominal_mass_g=grams_from_kg(self.nominal_mass_kg, "nominal_mass_kg"),
            composition_g={
                material: grams_from_kg(mass, f"composition_kg.{material}")
                for material, mass in self.composition_kg.items()
            },
            gtin=gtin14,
        )


class RegistrationRequest(RequestModel):
    """Master data to register or replace (by id); any part may be left out."""

    parties: list[PartyIn] = Field(default_factory=list, max_length=10_000, description="Parties (主体).")
    licences: list[LicenceIn] = Field(
        default_factory=list,
        max_length=10_000,
        description="Licences (资质); their party may be in `parties`.",
    )
    sites: list[SiteIn] = Field(default_factory=list, max_length=10_000, description="Sites (场地).")
    models: list[ProductModelIn] = Field(
        default_factory=list, max_length=10_000, description="Product models (产品型号) of producers."
    )

    def to_domain(self) -> Registration:
        return Registration(
            parties=_each(self.parties, "parties", PartyIn.to_domain),
            licences=_each(self.licences, "licences", LicenceIn.to_domain),
            sites=_each(self.sites, "sites", SiteIn.to_domain),
            models=_each(self.models, "models", ProductModelIn.to_domain),
        )


def _each(specs: list[S], name: str, build: Callable[[S], R]) -> list[R]:
    """Build each entry, placing a domain error's field under the entry (``parties[2].region``)."""
    out: list[R] = []
    for i, spec in enumerate(specs):
        try:
            out.append(build(spec))
        except TraceError as e:
            raise e.at_field(f"{name}[{i}]") from None
    return out
