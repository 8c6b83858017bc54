"""Queries: find an item by any identifier and trace it; browse parties, sites, product models and events."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, cast

import strawberry

from retrace.api.graphql import labels, reports
from retrace.api.graphql.context import context_of
from retrace.api.graphql.enums import FlowDirection, PartyRole, StreamKind, domain
from retrace.api.graphql.labels import LabelFile
from retrace.api.graphql.reports import (
    BY,
    FATE,
    PRODUCER,
    Drilldown,
    FlowRecords,
    Flows,
    FlowView,
    FromArg,
    IdArg,
    ProducerObligations,
    RecoveryReport,
    ReportMeasure,
    ReportScopeKind,
    ScopeArg,
    SiteBalances,
    StreamArg,
    ToArg,
)
from retrace.api.graphql.typed import field
from retrace.api.graphql.types import (
    AFTER,
    END,
    FIRST,
    START,
    Event,
    EventConnection,
    Info,
    Item,
    PartyConnection,
    PartyNode,
    ProductModelConnection,
    ProductModelNode,
    SiteConnection,
    SiteNode,
    event_connection,
    event_node,
    page_info,
)
from retrace.app.browsing import region_prefix
from retrace.app.ports import EventFilter, ModelFilter, PartyFilter, SiteFilter
from retrace.app.tracing import unknown_identifier
from retrace.domain import errors as codes
from retrace.domain.changes import Direction
from retrace.domain.errors import InvalidInput, TraceError
from retrace.domain.identifiers import lookup_keys
from retrace.domain.model import Role, Stream

IDENTIFIER = (
    "Any identifier of the object, as scanned: a GS1 Digital Link URI (https://id.gs1.org/01/…/21/…), an EPC URN "
    "(urn:epc:id:sgtin:…), SGTIN-96 hex, a GB/T 34014 battery code, a VIN, or a lot's code."
)
NAME_CONTAINS = "Only names (English or Chinese) containing this; ASCII letters in any case."
REGION = "A GB/T 2260 code: 440000 takes the whole province, 440300 the city, 440305 the county."


@strawberry.type(description="Everything you can ask the platform. Start with `item(identifier: …)`.")
class Query:
    @field(
        description="The object an identifier names (OBJECT_NOT_FOUND if none; INVALID_IDENTIFIER if "
        "the text cannot be an identifier)."
    )
    async def item(
        self, info: Info, identifier: Annotated[str, strawberry.argument(description=IDENTIFIER)]
    ) -> Item:
        return Item(obj=await context_of(info).services.trace.find(identifier))

    @field(
        description="An A4 PDF sheet of labels: for identifiers, for what an event commissioned, or for what "
        "a party commissioned in [start, end). At most 1000 (BATCH_TOO_LARGE)."
    )
    async def label_sheet(
        self,
        info: Info,
        identifiers: Annotated[
            list[str] | None, strawberry.argument(description="Label these objects, by any identifier.")
        ] = None,
        event_id: Annotated[
            str | None, strawberry.argument(description="Label every object this event created.")
        ] = None,
        party_id: Annotated[
            str | None, strawberry.argument(description="Label what this party commissioned in [start, end).")
        ] = None,
        start: Annotated[
            datetime | None, strawberry.argument(description="With party_id: the period's start (inclusive).")
        ] = None,
        end: Annotated[
            datetime | None, strawberry.argument(description="With party_id: the period's end (exclusive).")
        ] = None,
    ) -> LabelFile:
        return await labels.label_sheet(info, identifiers, event_id, party_id, start, end)

    @field(
        description="The objects several identifiers name, in the order given (at most 500); an "
        "identifier that names nothing gives null there and an error with its index."
    )
    async def items(
        self,
        info: Info,
        identifiers: Annotated[list[str], strawberry.argument(description="Identifiers, any kind each.")],
    ) -> list[Item | None]:
        context = context_of(info)
        if len(identifiers) > context.browse.max_page:
            raise InvalidInput(
                f"at most {context.browse.max_page} identifiers per request, {len(identifiers)} given",
                code=codes.VALIDATION_ERROR,
                message_zh=f"每次最多查询 {context.browse.max_page} 个标识",
                field="identifiers",
                details={"max_page": context.browse.max_page},
            )

        async def one(index: int, identifier: str) -> Item:
            # One batched lookup of every identifier's keys; a miss is answered from it too, with the error a
            # single lookup gives, so a list of misses costs no more store calls than a list of hits.
            try:
                keys = lookup_keys(identifier)
            except TraceError as e:
                e.field = f"identifiers[{index}]"
                raise
            for obj in await context.loaders.by_key.load_many(keys):
                if obj is not None:
                    return Item(obj=obj)
            missing = unknown_identifier(identifier)
            missing.field = f"identifiers[{index}]"
            raise missing

        results = await asyncio.gather(
            *(one(i, x) for i, x in enumerate(identifiers)), return_exceptions=True
        )
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, Exception):
                raise r  # cancellation and the like are not answers
        # GraphQL reports an Exception in a list as an error at its index, with null there; the others stand.
        return cast("list[Item | None]", results)

    @field(description="A registered party by id (PARTY_NOT_FOUND if none).")
    async def party(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="Id of the party, as registered.")],
    ) -> PartyNode:
        return PartyNode(party=await context_of(info).browse.party(id))

    @field(description="Registered parties by id, page by page, optionally filtered.")
    async def parties(
        self,
        info: Info,
        role: Annotated[
            PartyRole | None, strawberry.argument(description="Only parties with this role.")
        ] = None,
        region: Annotated[str | None, strawberry.argument(description=REGION)] = None,
        name_contains: Annotated[str | None, strawberry.argument(description=NAME_CONTAINS)] = None,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> PartyConnection:
        where = PartyFilter(
            role=domain(role, Role) if role else None,
            region_prefix=region_prefix(region) if region is not None else None,
            name_contains=name_contains,
        )
        page = await context_of(info).browse.parties(where, first, after)
        return PartyConnection(nodes=[PartyNode(party=p) for p in page.entries], page_info=page_info(page))

    @field(description="A registered site by id (SITE_NOT_FOUND if none).")
    async def site(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="Id of the site, as registered.")],
    ) -> SiteNode:
        return SiteNode(site=await context_of(info).browse.site(id))

    @field(description="Registered sites by id, page by page, optionally filtered.")
    async def sites(
        self,
        info: Info,
        party_id: Annotated[
            str | None, strawberry.argument(description="Only sites this party operates.")
        ] = None,
        region: Annotated[str | None, strawberry.argument(description=REGION)] = None,
        name_contains: Annotated[str | None, strawberry.argument(description=NAME_CONTAINS)] = None,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> SiteConnection:
        where = SiteFilter(
            party_id=party_id,
            region_prefix=region_prefix(region) if region is not None else None,
            name_contains=name_contains,
        )
        page = await context_of(info).browse.sites(where, first, after)
        return SiteConnection(nodes=[SiteNode(site=s) for s in page.entries], page_info=page_info(page))

    @field(description="A registered product model by id (MODEL_NOT_FOUND if none).")
    async def product_model(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="Id of the product model, as registered.")],
    ) -> ProductModelNode:
        return ProductModelNode(model=await context_of(info).browse.model(id))

    @field(description="Registered product models by id, page by page, optionally filtered.")
    async def product_models(
        self,
        info: Info,
        producer_id: Annotated[
            str | None, strawberry.argument(description="Only this producer's models.")
        ] = None,
        stream: Annotated[
            StreamKind | None, strawberry.argument(description="Only models of this stream.")
        ] = None,
        category: Annotated[
            str | None, strawberry.argument(description="Only this category (e.g. tv).")
        ] = None,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> ProductModelConnection:
        where = ModelFilter(
            producer_id=producer_id, stream=domain(stream, Stream) if stream else None, category=category
        )
        page = await context_of(info).browse.models(where, first, after)
        return ProductModelConnection(
            nodes=[ProductModelNode(model=m) for m in page.entries], page_info=page_info(page)
        )

    @field(description="A recorded event by id (EVENT_NOT_FOUND if none).")
    async def event(
        self,
        info: Info,
        event_id: Annotated[str, strawberry.argument(description="Id of the event, as its device sent it.")],
    ) -> Event:
        return event_node(await context_of(info).browse.event(event_id))

    @field(
        description="Recorded events by event time then id, page by page: of a site, of a party, "
        "touching an object, in a period, or any combination."
    )
    async def events(
        self,
        info: Info,
        site_id: Annotated[str | None, strawberry.argument(description="Only events at this site.")] = None,
        party_id: Annotated[
            str | None, strawberry.argument(description="Only events this party recorded.")
        ] = None,
        identifier: Annotated[
            str | None, strawberry.argument(description="Only events that touched this object. " + IDENTIFIER)
        ] = None,
        start: Annotated[datetime | None, strawberry.argument(description=START)] = None,
        end: Annotated[datetime | None, strawberry.argument(description=END)] = None,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> EventConnection:
        context = context_of(info)
        object_id = (await context.services.trace.find(identifier)).id if identifier is not None else None
        where = EventFilter(site_id=site_id, party_id=party_id, object_id=object_id, start=start, end=end)
        return event_connection(await context.browse.events(where, first, after))

    @field(
        description="Recovery of a scope over [from, to] against every target in force: measured measures, "
        "each target with measured value, gap and met (as GET /api/v1/reports/recovery)."
    )
    async def recovery_report(
        self,
        info: Info,
        start: FromArg,
        end: ToArg,
        scope: ScopeArg = ReportScopeKind.NATION,
        id: IdArg = None,
        stream: StreamArg = None,
    ) -> RecoveryReport:
        return await reports.recovery_report(info, scope, id, stream, start, end)

    @field(description="Producers' EPR obligations over [from, to] (as GET /api/v1/reports/producers).")
    async def producer_obligations(
        self,
        info: Info,
        start: FromArg,
        end: ToArg,
        producer_id: Annotated[str | None, strawberry.argument(description=PRODUCER)] = None,
    ) -> ProducerObligations:
        return await reports.producer_obligations(info, start, end, producer_id)

    @field(description="The sites of a scope and their mass balances (as GET /api/v1/reports/sites).")
    async def site_balances(
        self,
        info: Info,
        start: FromArg,
        end: ToArg,
        scope: ScopeArg = ReportScopeKind.NATION,
        id: IdArg = None,
        stream: StreamArg = None,
    ) -> SiteBalances:
        return await reports.site_balances(info, scope, id, stream, start, end)

    @field(description="What a number of a report is made of (as GET /api/v1/reports/drilldown).")
    async def drilldown(
        self,
        info: Info,
        start: FromArg,
        end: ToArg,
        measure: Annotated[ReportMeasure, strawberry.argument(description="The number to expand.")],
        scope: ScopeArg = ReportScopeKind.NATION,
        id: IdArg = None,
        stream: StreamArg = None,
        by: Annotated[str, strawberry.argument(description=BY)] = "site",
        fate: Annotated[str | None, strawberry.argument(description=FATE)] = None,
    ) -> Drilldown:
        return await reports.drilldown(info, measure, scope, id, stream, start, end, by, fate)

    @field(
        description="Material flows of a scope for a Sankey diagram: streams → material classes → fates, or mass "
        "passed between groups of parties or parties (as GET /api/v1/reports/flows)."
    )
    async def flows(
        self,
        info: Info,
        start: FromArg,
        end: ToArg,
        scope: ScopeArg = ReportScopeKind.NATION,
        id: IdArg = None,
        stream: StreamArg = None,
        view: Annotated[
            FlowView, strawberry.argument(description="Which Sankey: materials, roles or parties.")
        ] = FlowView.MATERIALS,
    ) -> Flows:
        return await reports.flows(info, scope, id, stream, start, end, view)

    @field(
        description="The flow records (one per object and event) a site's numbers are sums of, a page at a time "
        "in event-time order (as GET /api/v1/reports/records)."
    )
    async def records(
        self,
        info: Info,
        start: FromArg,
        end: ToArg,
        site_id: Annotated[str, strawberry.argument(description="The site whose records to list.")],
        direction: Annotated[
            FlowDirection | None, strawberry.argument(description="Only this direction.")
        ] = None,
        stage: Annotated[str | None, strawberry.argument(description='Only this stage ("": none).')] = None,
        material: Annotated[
            str | None, strawberry.argument(description="Only records of this material.")
        ] = None,
        fate: Annotated[str | None, strawberry.argument(description='Only this fate ("": none).')] = None,
        stream: StreamArg = None,
        model_id: Annotated[
            str | None, strawberry.argument(description="Only records of this product model.")
        ] = None,
        limit: Annotated[int, strawberry.argument(description="Page size, 1 to 1000.")] = 100,
        after: Annotated[
            str | None, strawberry.argument(description="`next_after` of the previous page.")
        ] = None,
    ) -> FlowRecords:
        where = reports.RecordFilter(
            direction=domain(direction, Direction) if direction else None,
            stage=stage,
            material=material,
            fate=fate,
            stream=domain(stream, Stream) if stream else None,
            model_id=model_id,
        )
        return await reports.records(info, site_id, start, end, where, limit, after)
