"""The GraphQL object types: what the graph holds, as a newcomer would explore it.

Each type wraps a domain record (``Private``: never exposed as such) and resolves its links to other records
through the request's DataLoaders, so a list of any length costs one store call per kind of record.  Masses are
kilograms, instants RFC 3339 with their offset, names as in the REST API (snake_case), so a field means the same
everywhere.
"""

from __future__ import annotations

from collections import deque
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry import Private

from retrace.api.graphql import labels
from retrace.api.graphql.context import context_of
from retrace.api.graphql.enums import (
    EventKind,
    FateKind,
    FlowDirection,
    LineageWay,
    LinkKindEnum,
    ObjectKindEnum,
    ObjectStatus,
    OutcomeStatus,
    PartyRole,
    StreamKind,
    domain,
)
from retrace.api.graphql.labels import LabelFile, LabelFileFormat
from retrace.api.graphql.typed import field
from retrace.app.browsing import Page
from retrace.app.capture import CaptureResult, EventOutcome
from retrace.app.ports import EventFilter, FlowTotal, Lineage, LineageDirection
from retrace.domain.changes import LineageLink, RecordedEvent
from retrace.domain.custody import CustodySpan
from retrace.domain.events import (
    Aggregate,
    Associate,
    Commission,
    Correct,
    Disaggregate,
    Disassemble,
    Dispose,
    NewItem,
    NewLot,
    Receive,
    Remanufacture,
    Ship,
    Transform,
    Weigh,
)
from retrace.domain.model import PROVINCES, Licence, Party, ProductModel, RegionCode, Site, TracedObject
from retrace.domain.model import kg as to_kg

Info = strawberry.Info

# -- small values ---------------------------------------------------------------------------------------------


@strawberry.type(
    description="A GB/T 2260 administrative division (province, city or county) and its province."
)
class Region:
    code: str = strawberry.field(description="The 6-digit GB/T 2260 code, e.g. 440300 (Shenzhen).")
    province_code: str = strawberry.field(description="The province's code, e.g. 440000 (Guangdong).")
    province_name: str = strawberry.field(description="The province's Chinese name, e.g. 广东.")

    @classmethod
    def of(cls, region: RegionCode) -> Region:
        return cls(code=region.code, province_code=region.province, province_name=PROVINCES[region.code[:2]])


@strawberry.type(description="One identifier an object carries, as it was given (QR code, RFID tag, VIN …).")
class Identifier:
    scheme: str = strawberry.field(description="digital_link, sgtin, sgtin96, gbt34014, vin or internal.")
    value: str = strawberry.field(description="The identifier as it was given; any of them finds the object.")


@strawberry.type(description="A mass of one material, e.g. in a product model's composition.")
class MaterialMass:
    material: str = strawberry.field(description="Material, lower case (steel, copper, plastics …).")
    mass_kg: float = strawberry.field(description="Mass of that material in kilograms (to the gram).")


FIRST = "How many entries to return (1 to 500)."
AFTER = "The end_cursor of the previous page, to read on from there."
START = "Only events at or after this instant (with a timezone offset)."
END = "Only events before this instant (with a timezone offset)."


@strawberry.type(
    description="Where a page of a listing stands; pass end_cursor as `after` to read the next one."
)
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more entries follow this page.")
    end_cursor: str | None = strawberry.field(
        description="The opaque cursor of the page's last entry (null on an empty page)."
    )


# -- master data ----------------------------------------------------------------------------------------------


@strawberry.type(
    description="A company or authority: producer, collector, dismantler, recycler, remanufacturer, "
    "carrier, owner or regulator (主体)."
)
class PartyNode:
    party: Private[Party]

    @field(description="Stable id chosen by the registrant, e.g. a unified social credit code.")
    def id(self) -> str:
        return self.party.id

    @field(description="Name in English (or transliterated).")
    def name(self) -> str:
        return self.party.name

    @field(description="The party's name in Chinese (中文名称), as registered; empty when none was given.")
    def name_zh(self) -> str:
        return self.party.name_zh

    @field(description="What the party does, sorted by name.")
    def roles(self) -> list[PartyRole]:
        return [PartyRole(r.value) for r in sorted(self.party.roles)]

    @field(description="Where the party is registered.")
    def region(self) -> Region:
        return Region.of(self.party.region)

    @field(description="Its licences (资质) to hold and treat waste streams, by number.")
    async def licences(self, info: Info) -> list[LicenceNode]:
        found = await context_of(info).loaders.licences.load(self.party.id)
        return [LicenceNode(licence=lic) for lic in found or []]

    @field(
        description="Events the party recorded, by event time then id, optionally in a period. An "
        "expensive field: at most 50 per request."
    )
    async def events(
        self,
        info: Info,
        start: Annotated[datetime | None, strawberry.argument(description=START)] = None,
        end: Annotated[datetime | None, strawberry.argument(description=END)] = None,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> EventConnection:
        context = context_of(info)
        context.spend("events")
        where = EventFilter(party_id=self.party.id, start=start, end=end)
        return event_connection(await context.browse.events(where, first, after))


@strawberry.type(
    description="A permit to hold and treat one or more streams, valid from one day to another (资质)."
)
class LicenceNode:
    licence: Private[Licence]

    @field(description="Licence number as issued.")
    def number(self) -> str:
        return self.licence.number

    @field(description="Id of the licensed party.")
    def party_id(self) -> str:
        return self.licence.party_id

    @field(description="The party that holds the licence, with its details.")
    async def party(self, info: Info) -> PartyNode | None:
        return await load_party(info, self.licence.party_id)

    @field(description="Streams the licence covers.")
    def streams(self) -> list[StreamKind]:
        return [StreamKind(s.value) for s in sorted(self.licence.streams)]

    @field(description="First day of validity.")
    def valid_from(self) -> date:
        return self.licence.valid_from

    @field(description="Last day of validity.")
    def valid_to(self) -> date:
        return self.licence.valid_to


@strawberry.type(description="A yard, plant or collection point where things happen (场地).")
class SiteNode:
    site: Private[Site]

    @field(description="Stable id chosen by the registrant; events name the site by it.")
    def id(self) -> str:
        return self.site.id

    @field(description="Name in English (or transliterated).")
    def name(self) -> str:
        return self.site.name

    @field(description="The site's name in Chinese (中文名称), as registered; empty when none was given.")
    def name_zh(self) -> str:
        return self.site.name_zh

    @field(description="Id of the operating party.")
    def party_id(self) -> str:
        return self.site.party_id

    @field(description="The operating party.")
    async def party(self, info: Info) -> PartyNode | None:
        return await load_party(info, self.site.party_id)

    @field(description="The administrative division (GB/T 2260) the site lies in.")
    def region(self) -> Region:
        return Region.of(self.site.region)

    @field(
        description="What is at the site now (held there, not in transit, not terminal), by id. An "
        "expensive field: at most 50 per request."
    )
    async def inventory(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> ItemConnection:
        context = context_of(info)
        context.spend("inventory")
        page = await context.browse.inventory(self.site.id, first, after)
        return ItemConnection(nodes=[Item(obj=o) for o in page.entries], page_info=page_info(page))

    @field(
        description="How much mass went into, through and out of the site in a period (start included, "
        "end excluded). An expensive field: at most 50 per request."
    )
    async def mass_balance(
        self,
        info: Info,
        start: Annotated[
            datetime, strawberry.argument(description="Start of the period, with a timezone offset.")
        ],
        end: Annotated[
            datetime, strawberry.argument(description="End of the period, with a timezone offset.")
        ],
    ) -> MassBalance:
        context = context_of(info)
        context.spend("mass_balance")
        flows = await context.services.trace.site_flows(self.site.id, start, end)
        return MassBalance(site_id=self.site.id, start=start, end=end, flows=flows)

    @field(
        description="Events that happened at the site, by event time then id, optionally in a period. "
        "An expensive field: at most 50 per request."
    )
    async def events(
        self,
        info: Info,
        start: Annotated[datetime | None, strawberry.argument(description=START)] = None,
        end: Annotated[datetime | None, strawberry.argument(description=END)] = None,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> EventConnection:
        context = context_of(info)
        context.spend("events")
        where = EventFilter(site_id=self.site.id, start=start, end=end)
        return event_connection(await context.browse.events(where, first, after))


@strawberry.type(
    description="A product line a producer puts on the market, with the material composition of one "
    "unit (产品型号)."
)
class ProductModelNode:
    model: Private[ProductModel]

    @field(description="Stable product model id.")
    def id(self) -> str:
        return self.model.id

    @field(description="Id of the party that makes the model (its producer).")
    def producer_id(self) -> str:
        return self.model.producer_id

    @field(description="The producer (a party with the producer role).")
    async def producer(self, info: Info) -> PartyNode | None:
        return await load_party(info, self.model.producer_id)

    @field(description="The stream its units end up in.")
    def stream(self) -> StreamKind:
        return StreamKind(self.model.stream.value)

    @field(description="Product category (tv, refrigerator, passenger_car, ncm_pack …).")
    def category(self) -> str:
        return self.model.category

    @field(description="The model's name as registered (often Chinese, as on the product).")
    def name(self) -> str:
        return self.model.name

    @field(description="Mass of one unit in kilograms.")
    def nominal_mass_kg(self) -> float:
        return to_kg(self.model.nominal_mass_g)

    @field(description="Kilograms of each material in one unit, by material.")
    def composition(self) -> list[MaterialMass]:
        return [
            MaterialMass(material=m, mass_kg=to_kg(g)) for m, g in sorted(self.model.composition_g.items())
        ]

    @field(description="GTIN-14 of the model, if it has one.")
    def gtin(self) -> str | None:
        return self.model.gtin


# -- traced objects -------------------------------------------------------------------------------------------


@strawberry.type(
    description="A traced object: an item (one unit: an appliance, vehicle, battery pack, module, cell, "
    "engine) or a lot (a quantity of one material: copper, black mass, lithium carbonate)."
)
class Item:
    obj: Private[TracedObject]

    @field(description="The platform's id of the object (stable, derived from the event that made it).")
    def id(self) -> str:
        return self.obj.id

    @field(
        description="The link this object's QR label carries (GS1 Digital Link on this platform's resolver, "
        "or /id/{scheme}/{value}); null for a voided object."
    )
    def label_link(self, info: Info) -> str | None:
        return labels.label_link(self.obj, info)

    @field(description="This object's QR label as a file (PNG, SVG, or PDF: one label on an A4 sheet).")
    async def label(
        self,
        info: Info,
        format: Annotated[
            LabelFileFormat, strawberry.argument(description="PNG (300 dpi), SVG, or PDF (an A4 sheet).")
        ] = LabelFileFormat.SVG,
    ) -> LabelFile:
        return await labels.item_label(self.obj, info, format)

    @field(description="ITEM for a unit with its own identity, LOT for a quantity of one material.")
    def kind(self) -> ObjectKindEnum:
        return ObjectKindEnum(self.obj.kind.value)

    @field(description="Every identifier the object carries; any of them finds it.")
    def identifiers(self) -> list[Identifier]:
        return [Identifier(scheme=s, value=v) for s, v in self.obj.identifiers]

    @field(description="The stream it belongs to.")
    def stream(self) -> StreamKind:
        return StreamKind(self.obj.stream.value)

    @field(description="Where it is in its life.")
    def status(self) -> ObjectStatus:
        return ObjectStatus(self.obj.status.value)

    @field(description="Whether nothing more can happen to it (dismantled, consumed, disposed, voided).")
    def terminal(self) -> bool:
        return self.obj.terminal

    @field(description="Current mass in kilograms (measured, or the model's nominal mass).")
    def mass_kg(self) -> float:
        return to_kg(self.obj.mass_g)

    @field(description="Id of the party that holds it (or last held it).")
    def holder_id(self) -> str | None:
        return self.obj.holder_id

    @field(description="The party that holds it (or last held it).")
    async def holder(self, info: Info) -> PartyNode | None:
        return await load_party(info, self.obj.holder_id)

    @field(description="Id of the site where it is (or last was).")
    def site_id(self) -> str | None:
        return self.obj.site_id

    @field(description="The site where it is (or last was).")
    async def site(self, info: Info) -> SiteNode | None:
        return await load_site(info, self.obj.site_id)

    @field(description="Id of the party it was shipped to, while in transit.")
    def in_transit_to(self) -> str | None:
        return self.obj.in_transit_to

    @field(description="The party it was shipped to, while in transit.")
    async def in_transit_to_party(self, info: Info) -> PartyNode | None:
        return await load_party(info, self.obj.in_transit_to)

    @field(description="Items: id of the registered product model.")
    def model_id(self) -> str | None:
        return self.obj.model_id

    @field(description="Items: the registered product model.")
    async def model(self, info: Info) -> ProductModelNode | None:
        if self.obj.model_id is None:
            return None
        found = await context_of(info).loaders.models.load(self.obj.model_id)
        return ProductModelNode(model=found) if found else None

    @field(description="Items: the product category (tv, passenger_car, ncm_pack …).")
    def category(self) -> str | None:
        return self.obj.category

    @field(description="Lots: the material (steel, copper, black_mass …).")
    def material(self) -> str | None:
        return self.obj.material

    @field(description="What its mass is destined for, where known.")
    def fate(self) -> FateKind | None:
        return FateKind(self.obj.fate.value) if self.obj.fate else None

    @field(description="Id of the container it is in now, if any.")
    def parent_id(self) -> str | None:
        return self.obj.parent_id

    @field(description="The container it is in now (a module's pack, a pack's vehicle), if any.")
    async def parent(self, info: Info) -> Item | None:
        return await load_item(info, self.obj.parent_id)

    @field(description="What it contains now (a pack's modules), by id.")
    async def contents(self, info: Info) -> list[Item]:
        context = context_of(info)
        child_ids = await context.loaders.children.load(self.obj.id) or []
        found = await context.loaders.objects.load_many(child_ids)
        return [Item(obj=o) for o in found if o is not None]

    @field(description="When it came into the graph (event time).")
    def created_at(self) -> datetime:
        return self.obj.created_at

    @field(description="Id of the event that created it.")
    def created_by_event(self) -> str:
        return self.obj.created_by_event

    @field(description="The event that created it (a commission, disassembly or transformation).")
    async def created_by(self, info: Info) -> Event | None:
        return await load_event(info, self.obj.created_by_event)

    @field(description="Id of the last event that changed it.")
    def last_event_id(self) -> str | None:
        return self.obj.last_event_id

    @field(description="The last event that changed it.")
    async def last_event(self, info: Info) -> Event | None:
        return await load_event(info, self.obj.last_event_id)

    @field(description="Counts the changes to the object (optimistic concurrency).")
    def version(self) -> int:
        return self.obj.version

    @field(
        description="Every event that touched it, oldest first (by event time, then recorded time). "
        "An expensive field: at most 50 per request."
    )
    async def history(self, info: Info) -> list[HistoryEntry]:
        context = context_of(info)
        context.spend("history")
        records = await context.services.store.history(self.obj.id)
        return [HistoryEntry.of(r, self.obj.id) for r in records]

    @field(
        description="Who held it when (chain of custody), oldest first; events declared erroneous "
        "are skipped. An expensive field: at most 50 per request."
    )
    async def custody(self, info: Info) -> list[CustodySpanNode]:
        context = context_of(info)
        context.spend("custody")
        spans = await context.services.trace.custody_of(self.obj)
        return [CustodySpanNode(span=s) for s in spans]

    @field(
        description="Where it came from (upstream) or where every part of it went (downstream), as "
        "the objects, the links between them (with masses and events) and a tree. An expensive field: "
        "at most 50 per request."
    )
    async def lineage(
        self,
        info: Info,
        direction: Annotated[
            LineageWay, strawberry.argument(description="Upstream (origins) or downstream (destinations).")
        ] = LineageWay.DOWNSTREAM,
        depth: Annotated[
            int,
            strawberry.argument(
                description="How many links to follow at most (1 to the server's limit, 50)."
            ),
        ] = 10,
    ) -> LineageNode:
        context = context_of(info)
        context.spend("lineage")
        way = domain(direction, LineageDirection)
        lineage = await context.services.trace.lineage_of(self.obj, way, depth)
        return LineageNode(lineage=lineage, way=way, depth_asked=depth)


@strawberry.type(description="A span of custody: who held an object, where, from when to when.")
class CustodySpanNode:
    span: Private[CustodySpan]

    @field(description="Id of the party that held it.")
    def party_id(self) -> str:
        return self.span.party_id

    @field(description="The party that held it.")
    async def party(self, info: Info) -> PartyNode | None:
        return await load_party(info, self.span.party_id)

    @field(description="Id of the site where it was held.")
    def site_id(self) -> str | None:
        return self.span.site_id

    @field(description="The site where it was held.")
    async def site(self, info: Info) -> SiteNode | None:
        return await load_site(info, self.span.site_id)

    @field(description="From when (event time).")
    def start(self) -> datetime:
        return self.span.start

    @field(description="Until when; null while still held.")
    def end(self) -> datetime | None:
        return self.span.end

    @field(description="Id of the event that began the custody.")
    def start_event_id(self) -> str:
        return self.span.start_event

    @field(description="The event that began the custody.")
    async def start_event(self, info: Info) -> Event | None:
        return await load_event(info, self.span.start_event)

    @field(description="Id of the event that ended it (a shipment or a receipt elsewhere).")
    def end_event_id(self) -> str | None:
        return self.span.end_event

    @field(description="The event that ended it.")
    async def end_event(self, info: Info) -> Event | None:
        return await load_event(info, self.span.end_event)


# -- lineage --------------------------------------------------------------------------------------------------


@strawberry.type(description="A link of lineage: one object came from another, by an event, carrying a mass.")
class LineageHop:
    link: Private[LineageLink]
    objects: Private[dict[str, TracedObject]]
    hop_distance: Private[int]

    @field(description="Id of the upstream object.")
    def from_id(self) -> str:
        return self.link.from_id

    @field(name="from", description="The upstream object (where the mass came from).")
    def from_(self) -> Item:
        return Item(obj=self.objects[self.link.from_id])

    @field(description="Id of the downstream object.")
    def to_id(self) -> str:
        return self.link.to_id

    @field(description="The downstream object (where the mass went).")
    def to(self) -> Item:
        return Item(obj=self.objects[self.link.to_id])

    @field(description="How the downstream object came from the upstream one.")
    def kind(self) -> LinkKindEnum:
        return LinkKindEnum(self.link.kind.value)

    @field(description="Mass carried along the link in kilograms, where recorded (null for containment).")
    def mass_kg(self) -> float | None:
        return None if self.link.mass_g is None else to_kg(self.link.mass_g)

    @field(description="Id of the event that made the link.")
    def event_id(self) -> str:
        return self.link.event_id

    @field(description="The event that made the link.")
    async def event(self, info: Info) -> Event | None:
        return await load_event(info, self.link.event_id)

    @field(description="How many links from the object asked about (1: a direct link).")
    def distance(self) -> int:
        return self.hop_distance


@strawberry.type(description="One object in a lineage tree, with the objects first reached through it.")
class LineageTreeNode:
    obj: Private[TracedObject]
    via_hop: Private[LineageHop | None]
    below: Private[list[LineageTreeNode]]

    @field(description="The object at this point of the tree.")
    def item(self) -> Item:
        return Item(obj=self.obj)

    @field(description="The link that reached it from its parent node (null at the root).")
    def via(self) -> LineageHop | None:
        return self.via_hop

    @field(
        description="The objects reached through it, each once (an object reached along several "
        "paths is under the first; `hops` lists every link)."
    )
    def children(self) -> list[LineageTreeNode]:
        return self.below


@strawberry.type(
    description="Where an object came from or went: every object reached within a depth, the links "
    "(hops) between them with masses and events, and the same as a tree."
)
class LineageNode:
    lineage: Private[Lineage]
    way: Private[LineageDirection]
    depth_asked: Private[int]

    @field(description="The object asked about.")
    def root(self) -> Item:
        return Item(obj=self.lineage.root)

    @field(description="Which way the links were followed.")
    def direction(self) -> LineageWay:
        return LineageWay(self.way.value)

    @field(description="How many links were followed at most.")
    def depth(self) -> int:
        return self.depth_asked

    @field(description="Every object reached, the root included, by id.")
    def objects(self) -> list[Item]:
        return [Item(obj=o) for o in self.lineage.objects]

    @field(description="Every link between them, nearest to the root first (then by ids and event).")
    def hops(self) -> list[LineageHop]:
        return self._walk()[0]

    @field(
        description="The lineage as a tree from the root; nest `children` as deep as you need (the "
        "query depth limit applies)."
    )
    def tree(self) -> LineageTreeNode:
        return self._walk()[1]

    def _walk(self) -> tuple[list[LineageHop], LineageTreeNode]:
        """Breadth-first from the root along the links, in the direction asked."""
        objects = {o.id: o for o in self.lineage.objects}
        downstream = self.way is LineageDirection.DOWNSTREAM
        leaving: dict[str, list[LineageLink]] = {}
        for link in self.lineage.links:
            leaving.setdefault(link.from_id if downstream else link.to_id, []).append(link)
        root = LineageTreeNode(obj=self.lineage.root, via_hop=None, below=[])
        nodes = {root.obj.id: root}
        distance = {root.obj.id: 0}
        hops: list[LineageHop] = []
        queue = deque([root.obj.id])
        while queue:
            here = queue.popleft()
            for link in leaving.get(here, []):
                far = link.to_id if downstream else link.from_id
                hop = LineageHop(link=link, objects=objects, hop_distance=distance[here] + 1)
                hops.append(hop)
                if far not in nodes and far in objects:
                    distance[far] = distance[here] + 1
                    nodes[far] = LineageTreeNode(obj=objects[far], via_hop=hop, below=[])
                    nodes[here].below.append(nodes[far])
                    queue.append(far)
        return hops, root


# -- events ---------------------------------------------------------------------------------------------------


@strawberry.type(description="An object an event touched, and what it was in the event.")
class TouchedObject:
    object_id: str = strawberry.field(description="The platform's id of the object the event touched.")
    role: str = strawberry.field(
        description="subject, input, output, parent, child or contained (see docs/events.md)."
    )

    @field(description="The object, as it is now.")
    async def item(self, info: Info) -> Item | None:
        return await load_item(info, self.object_id)


@strawberry.interface(
    description="Something that happened to traced objects, as recorded (never edited: a mistake "
    "is answered by a CorrectEvent). Each event type adds its own fields."
)
class Event:
    record: Private[RecordedEvent]

    @field(description="Unique id the device generated for the event.")
    def event_id(self) -> str:
        return self.record.event_id

    @field(description="The kind of event, which decides its own fields (ship, transform …).")
    def type(self) -> EventKind:
        return EventKind(self.record.event.type)

    @field(description="When it happened, with the offset the device sent.")
    def event_time(self) -> datetime:
        return self.record.event.event_time

    @field(description="When the server recorded it.")
    def recorded_at(self) -> datetime:
        return self.record.recorded_at

    @field(description="Id of the site where it happened.")
    def site_id(self) -> str:
        return self.record.event.site_id

    @field(description="The site where it happened.")
    async def site(self, info: Info) -> SiteNode | None:
        return await load_site(info, self.record.event.site_id)

    @field(description="Id of the party that did it.")
    def party_id(self) -> str:
        return self.record.event.party_id

    @field(description="The party that did it.")
    async def party(self, info: Info) -> PartyNode | None:
        return await load_party(info, self.record.event.party_id)

    @field(description="Id of the event that declared this one erroneous, if any.")
    def corrected_by_id(self) -> str | None:
        return self.record.corrected_by

    @field(description="The event that declared this one erroneous, if any.")
    async def corrected_by(self, info: Info) -> Event | None:
        return await load_event(info, self.record.corrected_by)

    @field(description="Every object the event named or changed, with its role.")
    def touched(self) -> list[TouchedObject]:
        return [TouchedObject(object_id=oid, role=role) for oid, role in self.record.object_roles]

    @field(description="Ids of the objects the event created (items, parts, lots).")
    def created_ids(self) -> list[str]:
        return list(self.record.created_ids)

    @field(description="The objects the event created, as they are now.")
    async def created(self, info: Info) -> list[Item]:
        found = await context_of(info).loaders.objects.load_many(list(self.record.created_ids))
        return [Item(obj=o) for o in found if o is not None]


@strawberry.type(
    description="A unit that came into the graph in a commission or a disassembly, as it was sent."
)
class NewItemSpec:
    spec: Private[NewItem]

    @field(description="Every identifier the unit carries.")
    def identifiers(self) -> list[str]:
        return list(self.spec.identifiers)

    @field(description="Id of its product model.")
    def model_id(self) -> str:
        return self.spec.model_id

    @field(description="Measured mass in kilograms; null: the model's nominal mass.")
    def mass_kg(self) -> float | None:
        return None if self.spec.mass_g is None else to_kg(self.spec.mass_g)

    @field(description="For parts: what they are destined for.")
    def fate(self) -> FateKind | None:
        return FateKind(self.spec.fate.value) if self.spec.fate else None


@strawberry.type(description="A material lot produced by a disassembly or a transformation, as it was sent.")
class NewLotSpec:
    spec: Private[NewLot]

    @field(description="The lot's own code, as printed on its label (unique).")
    def code(self) -> str:
        return self.spec.code

    @field(description="The lot's material, lower case (black_mass, copper, crude_steel …).")
    def material(self) -> str:
        return self.spec.material

    @field(description="Its mass in kilograms.")
    def mass_kg(self) -> float:
        return to_kg(self.spec.mass_g)

    @field(description="What its mass is destined for.")
    def fate(self) -> FateKind:
        return FateKind(self.spec.fate.value)

    @field(description="What an assay found in it, if recorded: kilograms of each element or material.")
    def composition(self) -> list[MaterialMass]:
        return [MaterialMass(material=m, mass_kg=to_kg(g)) for m, g in self.spec.composition_g]


@strawberry.type(description="A producer or collector tagged units and put them into the graph.")
class CommissionEvent(Event):
    @field(description="The units commissioned.")
    def items(self) -> list[NewItemSpec]:
        event = self.record.event
        assert isinstance(event, Commission)
        return [NewItemSpec(spec=i) for i in event.items]


@strawberry.type(description="The holder sent objects to another party; they are in transit until received.")
class ShipEvent(Event):
    @field(description="What was shipped (identifiers as sent).")
    def objects(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Ship)
        return list(event.objects)

    @field(description="Id of the receiving party.")
    def to_party_id(self) -> str:
        event = self.record.event
        assert isinstance(event, Ship)
        return event.to_party_id

    @field(description="The receiving party.")
    async def to_party(self, info: Info) -> PartyNode | None:
        event = self.record.event
        assert isinstance(event, Ship)
        return await load_party(info, event.to_party_id)

    @field(description="Id of the receiving site, if known.")
    def to_site_id(self) -> str | None:
        event = self.record.event
        assert isinstance(event, Ship)
        return event.to_site_id

    @field(description="The receiving site, if known.")
    async def to_site(self, info: Info) -> SiteNode | None:
        event = self.record.event
        assert isinstance(event, Ship)
        return await load_site(info, event.to_site_id)


@strawberry.type(description="A party took objects into custody.")
class ReceiveEvent(Event):
    @field(description="What was received (identifiers as sent).")
    def objects(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Receive)
        return list(event.objects)

    @field(description="Id of the party that handed them over, if given.")
    def from_party_id(self) -> str | None:
        event = self.record.event
        assert isinstance(event, Receive)
        return event.from_party_id


@strawberry.type(description="A measured mass replaced the nominal one.")
class WeighEvent(Event):
    @field(description="What was weighed (identifier as sent).")
    def object(self) -> str:
        event = self.record.event
        assert isinstance(event, Weigh)
        return event.object

    @field(description="The measured mass in kilograms.")
    def mass_kg(self) -> float:
        event = self.record.event
        assert isinstance(event, Weigh)
        return to_kg(event.mass_g)


@strawberry.type(description="Children went into a parent: modules into a pack, a pack into a vehicle.")
class AggregateEvent(Event):
    @field(description="The container (identifier as sent).")
    def parent(self) -> str:
        event = self.record.event
        assert isinstance(event, Aggregate)
        return event.parent

    @field(description="What went into it (identifiers as sent).")
    def children(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Aggregate)
        return list(event.children)


@strawberry.type(description="Children came out of a parent.")
class DisaggregateEvent(Event):
    @field(description="The container (identifier as sent).")
    def parent(self) -> str:
        event = self.record.event
        assert isinstance(event, Disaggregate)
        return event.parent

    @field(description="What came out of it (identifiers as sent).")
    def children(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Disaggregate)
        return list(event.children)


@strawberry.type(description="An item was taken apart into part items and material lots (once only).")
class DisassembleEvent(Event):
    @field(description="The item taken apart (identifier as sent).")
    def object(self) -> str:
        event = self.record.event
        assert isinstance(event, Disassemble)
        return event.object

    @field(description="Part items taken out.")
    def parts(self) -> list[NewItemSpec]:
        event = self.record.event
        assert isinstance(event, Disassemble)
        return [NewItemSpec(spec=p) for p in event.parts]

    @field(description="Material lots taken out.")
    def lots(self) -> list[NewLotSpec]:
        event = self.record.event
        assert isinstance(event, Disassemble)
        return [NewLotSpec(spec=lot) for lot in event.lots]


@strawberry.type(description="Inputs were consumed whole into material lots (shredding, smelting, refining).")
class TransformEvent(Event):
    @field(description="Items or lots consumed (identifiers as sent).")
    def inputs(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Transform)
        return list(event.inputs)

    @field(description="The material lots the transformation produced, as sent.")
    def outputs(self) -> list[NewLotSpec]:
        event = self.record.event
        assert isinstance(event, Transform)
        return [NewLotSpec(spec=lot) for lot in event.outputs]

    @field(description="Reagents declared as added to the outputs, in kilograms (null: none).")
    def reagents_kg(self) -> float | None:
        event = self.record.event
        assert isinstance(event, Transform)
        return None if event.reagents_g is None else to_kg(event.reagents_g)


@strawberry.type(description="Items were remanufactured, or reused in a second life, and went back into use.")
class RemanufactureEvent(Event):
    @field(description="Items remanufactured (identifiers as sent).")
    def objects(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Remanufacture)
        return list(event.objects)

    @field(description="REMANUFACTURE, or REUSE for cascade use (梯次利用).")
    def fate(self) -> FateKind:
        event = self.record.event
        assert isinstance(event, Remanufacture)
        return FateKind(event.resulting_fate.value)

    @field(description="Value of the remanufactured output in whole yuan, if recorded.")
    def value_cny(self) -> float | None:
        event = self.record.event
        assert isinstance(event, Remanufacture)
        return None if event.value_cny is None else float(event.value_cny)


@strawberry.type(description="Objects were landfilled or incinerated.")
class DisposeEvent(Event):
    @field(description="What was disposed of (identifiers as sent).")
    def objects(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Dispose)
        return list(event.objects)

    @field(description="disposal or energy_recovery.")
    def fate(self) -> FateKind:
        event = self.record.event
        assert isinstance(event, Dispose)
        return FateKind(event.fate.value)


@strawberry.type(
    description="An earlier event was declared erroneous (EPCIS error declaration); it is kept, "
    "flagged, and its effects undone."
)
class CorrectEvent(Event):
    @field(description="Id of the event declared erroneous.")
    def target_event_id(self) -> str:
        event = self.record.event
        assert isinstance(event, Correct)
        return event.target_event_id

    @field(description="The event declared erroneous.")
    async def target(self, info: Info) -> Event | None:
        event = self.record.event
        assert isinstance(event, Correct)
        return await load_event(info, event.target_event_id)

    @field(description="Why the target event was declared erroneous, as the declarer wrote it.")
    def reason(self) -> str:
        event = self.record.event
        assert isinstance(event, Correct)
        return event.reason

    @field(description="Ids of the events recorded in its place, if any.")
    def corrective_event_ids(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Correct)
        return list(event.corrective_event_ids)


@strawberry.type(
    description="New identifiers were given to an item already in the graph (a battery pack re-coded for its "
    "second life, an RFID tag fixed to an item first tagged by QR); any of them finds it."
)
class AssociateEvent(Event):
    @field(description="The item (identifier as sent).")
    def object(self) -> str:
        event = self.record.event
        assert isinstance(event, Associate)
        return event.object

    @field(description="The identifiers it was given (as sent).")
    def identifiers(self) -> list[str]:
        event = self.record.event
        assert isinstance(event, Associate)
        return list(event.identifiers)


EVENT_TYPES: dict[str, type[Event]] = {
    "commission": CommissionEvent,
    "ship": ShipEvent,
    "receive": ReceiveEvent,
    "weigh": WeighEvent,
    "aggregate": AggregateEvent,
    "disaggregate": DisaggregateEvent,
    "disassemble": DisassembleEvent,
    "transform": TransformEvent,
    "remanufacture": RemanufactureEvent,
    "dispose": DisposeEvent,
    "correct": CorrectEvent,
    "associate": AssociateEvent,
}


def event_node(record: RecordedEvent) -> Event:
    return EVENT_TYPES[record.event.type](record=record)


@strawberry.type(description="One event in an object's history, with what the object was in it.")
class HistoryEntry:
    node: Private[Event]
    object_roles: Private[list[str]]

    @classmethod
    def of(cls, record: RecordedEvent, object_id: str) -> HistoryEntry:
        return cls(
            node=event_node(record), object_roles=[r for oid, r in record.object_roles if oid == object_id]
        )

    @field(description="The event that touched the object, with its type-specific fields.")
    def event(self) -> Event:
        return self.node

    @field(description="What the object was in this event (subject, input, output, parent, child …).")
    def roles(self) -> list[str]:
        return self.object_roles


@strawberry.type(
    description="A new event in a live feed, with its position in the event log (pass it as "
    "after_position to resume after a disconnection without missing anything)."
)
class EventNotice:
    log_position: Private[int]
    node: Private[Event]

    @field(description="The event's position in the event log (a decimal integer, as a string).")
    def position(self) -> str:
        return str(self.log_position)

    @field(description="The newly recorded event, with its type-specific fields.")
    def event(self) -> Event:
        return self.node


# -- sites: mass balance --------------------------------------------------------------------------------------


@strawberry.type(description="Mass that crossed a site one way, of one material and fate, in a period.")
class FlowTotalNode:
    total: Private[FlowTotal]

    @field(description="How the mass crossed the site.")
    def direction(self) -> FlowDirection:
        return FlowDirection(self.total.direction.value)

    @field(description="Material of a lot, or product category of an item.")
    def material(self) -> str:
        return self.total.material

    @field(description="Fate of the mass, where known.")
    def fate(self) -> str | None:
        return self.total.fate

    @field(description="Total mass in kilograms (corrections subtracted).")
    def mass_kg(self) -> float:
        return to_kg(self.total.mass_g)

    @field(description="How many records the total sums (less those a correction reversed).")
    def count(self) -> int:
        return self.total.count


@strawberry.type(description="Mass that crossed a site one way in a period, all materials together.")
class DirectionTotal:
    direction: FlowDirection = strawberry.field(description="How the mass crossed the site.")
    mass_kg: float = strawberry.field(description="Total mass in kilograms.")
    count: int = strawberry.field(description="How many records the total sums.")


@strawberry.type(
    description="How much mass went into, through and out of a site in a period (start included, end "
    "excluded), by direction, material and fate."
)
class MassBalance:
    site_id: str = strawberry.field(description="Id of the site whose balance this is.")
    start: datetime = strawberry.field(description="Start of the period (included).")
    end: datetime = strawberry.field(description="End of the period (excluded).")
    flows: Private[list[FlowTotal]]

    @field(description="Mass by direction, material and fate (sorted by those).")
    def totals(self) -> list[FlowTotalNode]:
        return [FlowTotalNode(total=t) for t in self.flows]

    @field(description="Mass by direction, all materials together.")
    def by_direction(self) -> list[DirectionTotal]:
        sums: dict[str, tuple[int, int]] = {}
        for t in self.flows:
            grams, count = sums.get(t.direction.value, (0, 0))
            sums[t.direction.value] = (grams + t.mass_g, count + t.count)
        return [
            DirectionTotal(direction=FlowDirection(d), mass_kg=to_kg(g), count=c)
            for d, (g, c) in sorted(sums.items())
        ]


# -- capture results ------------------------------------------------------------------------------------------


@strawberry.type(description="What the platform did with one event of a batch (the same again on a replay).")
class EventOutcomeNode:
    outcome: Private[EventOutcome]

    @field(description="The event's id, as sent.")
    def event_id(self) -> str:
        return self.outcome.event_id

    @field(description="created, or replayed when it was already recorded with the same content.")
    def status(self) -> OutcomeStatus:
        return OutcomeStatus(self.outcome.status)

    @field(description="When the server first recorded the event.")
    def recorded_at(self) -> datetime:
        return self.outcome.recorded_at

    @field(description="Ids of the objects the event created.")
    def created_ids(self) -> list[str]:
        return list(self.outcome.created_ids)

    @field(description="The objects the event created, as they are now.")
    async def created(self, info: Info) -> list[Item]:
        found = await context_of(info).loaders.objects.load_many(list(self.outcome.created_ids))
        return [Item(obj=o) for o in found if o is not None]


@strawberry.type(
    description="The answer to a capture: how many events were recorded or replayed, and each one's "
    "outcome in the order sent."
)
class CaptureResultNode:
    result: Private[CaptureResult]

    @field(description="Events recorded by this request.")
    def created(self) -> int:
        return self.result.created

    @field(description="Events that were already recorded; answered as the first time.")
    def replayed(self) -> int:
        return self.result.replayed

    @field(description="One per event, in the order sent.")
    def outcomes(self) -> list[EventOutcomeNode]:
        return [EventOutcomeNode(outcome=o) for o in self.result.outcomes]


@strawberry.type(description="How many records of each kind a registration registered or replaced.")
class RegistrationResult:
    parties: int = strawberry.field(description="Parties registered or replaced.")
    licences: int = strawberry.field(description="Licences registered or replaced.")
    sites: int = strawberry.field(description="Sites registered or replaced.")
    models: int = strawberry.field(description="Product models registered or replaced.")


# -- pages ----------------------------------------------------------------------------------------------------


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor)


@strawberry.type(description="One page of a list of parties, with where it stands in the list.")
class PartyConnection:
    nodes: list[PartyNode] = strawberry.field(description="The parties of this page, by id.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")


@strawberry.type(description="One page of a list of sites, with where it stands in the list.")
class SiteConnection:
    nodes: list[SiteNode] = strawberry.field(description="The sites of this page, by id.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")


@strawberry.type(description="One page of a list of product models, with where it stands in the list.")
class ProductModelConnection:
    nodes: list[ProductModelNode] = strawberry.field(description="The product models of this page, by id.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")


@strawberry.type(description="One page of a list of traced objects, with where it stands in the list.")
class ItemConnection:
    nodes: list[Item] = strawberry.field(description="The objects of this page, by id.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")


@strawberry.type(description="One page of a list of events, with where it stands in the list.")
class EventConnection:
    nodes: list[Event] = strawberry.field(description="The events of this page, by event time then id.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")


def event_connection(page: Page[RecordedEvent]) -> EventConnection:
    return EventConnection(nodes=[event_node(r) for r in page.entries], page_info=page_info(page))


# -- loading through the request's DataLoaders ----------------------------------------------------------------


async def load_party(info: Info, party_id: str | None) -> PartyNode | None:
    if party_id is None:
        return None
    found = await context_of(info).loaders.parties.load(party_id)
    return PartyNode(party=found) if found else None


async def load_site(info: Info, site_id: str | None) -> SiteNode | None:
    if site_id is None:
        return None
    found = await context_of(info).loaders.sites.load(site_id)
    return SiteNode(site=found) if found else None


async def load_item(info: Info, object_id: str | None) -> Item | None:
    if object_id is None:
        return None
    found = await context_of(info).loaders.objects.load(object_id)
    return Item(obj=found) if found else None


async def load_event(info: Info, event_id: str | None) -> Event | None:
    if event_id is None:
        return None
    found = await context_of(info).loaders.events.load(event_id)
    return event_node(found) if found else None
