"""Mutations: register master data, commission items, record events (one or a batch), declare an error.

Each goes through the REST API's request models and the same use cases (``RegisterMasterData``, ``CaptureEvents``):
the same rules, the same idempotency (an event id sent again with the same content is a replay, answered as the
first time), the same all-or-nothing batches and the same errors.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from retrace.api.graphql.context import Context, context_of
from retrace.api.graphql.inputs import (
    AssociateInput,
    CommissionInput,
    CorrectInput,
    EventInput,
    LicenceInput,
    PartyInput,
    ProductModelInput,
    RegistrationInput,
    SiteInput,
    event_data,
    events_to_domain,
    plain,
    registration_to_domain,
)
from retrace.api.graphql.typed import mutation
from retrace.api.graphql.types import CaptureResultNode, Info, RegistrationResult

CAPTURE_RULES = (
    " Idempotent by event id: an event already recorded with the same content is answered as the first time "
    "(status REPLAYED); with other content it is EVENT_ID_CONFLICT."
)


async def _register(context: Context, data: dict[str, Any]) -> RegistrationResult:
    request = registration_to_domain(data)
    await context.services.registry.execute(request)
    return RegistrationResult(
        parties=len(request.parties),
        licences=len(request.licences),
        sites=len(request.sites),
        models=len(request.models),
    )


async def _capture(context: Context, events: list[dict[str, Any]]) -> CaptureResultNode:
    # The capture use case wakes this process's live feeds; other workers' feeds see it within their poll interval.
    return CaptureResultNode(result=await context.services.capture.execute(events_to_domain(events)))


@strawberry.type(
    description="Everything you can record or register. Errors carry the REST API's codes in `extensions`."
)
class Mutation:
    @mutation(
        description="Register or replace parties, licences, sites and product models (by id) in "
        "one request; nothing is saved if any entry is refused."
    )
    async def register_master_data(
        self,
        info: Info,
        input: Annotated[
            RegistrationInput, strawberry.argument(description="The master data to register, any part of it.")
        ],
    ) -> RegistrationResult:
        return await _register(context_of(info), plain(input))

    @mutation(description="Register or replace parties (by id).")
    async def register_parties(
        self,
        info: Info,
        parties: Annotated[
            list[PartyInput], strawberry.argument(description="The parties to register or replace.")
        ],
    ) -> RegistrationResult:
        return await _register(context_of(info), {"parties": plain(parties)})

    @mutation(description="Register or replace licences (by number); their parties must be registered.")
    async def register_licences(
        self,
        info: Info,
        licences: Annotated[
            list[LicenceInput], strawberry.argument(description="The licences to register or replace.")
        ],
    ) -> RegistrationResult:
        return await _register(context_of(info), {"licences": plain(licences)})

    @mutation(description="Register or replace sites (by id); their parties must be registered.")
    async def register_sites(
        self,
        info: Info,
        sites: Annotated[
            list[SiteInput], strawberry.argument(description="The sites to register or replace.")
        ],
    ) -> RegistrationResult:
        return await _register(context_of(info), {"sites": plain(sites)})

    @mutation(
        description="Register or replace product models (by id); their producer must be a "
        "registered party with the producer role."
    )
    async def register_product_models(
        self,
        info: Info,
        models: Annotated[
            list[ProductModelInput],
            strawberry.argument(description="The product models to register or replace."),
        ],
    ) -> RegistrationResult:
        return await _register(context_of(info), {"models": plain(models)})

    @mutation(
        description="Commission items: tag units of registered models and put them into the graph "
        "(one commission event)." + CAPTURE_RULES
    )
    async def commission_items(
        self,
        info: Info,
        input: Annotated[
            CommissionInput, strawberry.argument(description="The units to commission and where.")
        ],
    ) -> CaptureResultNode:
        return await _capture(context_of(info), [{"type": "commission", **plain(input)}])

    @mutation(description="Record one event of any type." + CAPTURE_RULES)
    async def record_event(
        self,
        info: Info,
        event: Annotated[EventInput, strawberry.argument(description="The event to record, of any type.")],
    ) -> CaptureResultNode:
        return await _capture(context_of(info), [event_data(event)])

    @mutation(
        description="Record a batch of events in order, all or nothing: if any event breaks a rule, "
        "nothing is stored and every failing event is listed in the error's details. Later events "
        "may name objects earlier ones create. At most the server's batch size (1000)." + CAPTURE_RULES
    )
    async def record_events(
        self,
        info: Info,
        events: Annotated[list[EventInput], strawberry.argument(description="The events, in order.")],
    ) -> CaptureResultNode:
        return await _capture(context_of(info), [event_data(e) for e in events])

    @mutation(
        description="Declare an earlier event erroneous (EPCIS error declaration): it is kept and "
        "flagged, and its effects are undone (the rules are in docs/rules.md)." + CAPTURE_RULES
    )
    async def declare_error(
        self,
        info: Info,
        input: Annotated[
            CorrectInput, strawberry.argument(description="The erroneous event and why it is wrong.")
        ],
    ) -> CaptureResultNode:
        return await _capture(context_of(info), [{"type": "correct", **plain(input)}])

    @mutation(
        description="Give an item already in the graph new identifiers (one associate event): a battery pack "
        "re-coded under GB/T 34014 for its second life, a VIN or an RFID tag fixed to an item first tagged by QR. "
        "Only its holder may; any of its identifiers finds it afterwards." + CAPTURE_RULES
    )
    async def associate_identifiers(
        self,
        info: Info,
        input: Annotated[
            AssociateInput, strawberry.argument(description="The item and its new identifiers.")
        ],
    ) -> CaptureResultNode:
        return await _capture(context_of(info), [{"type": "associate", **plain(input)}])
