"""GraphQL for labels: ``Item.label_link``, ``Item.label(format)`` and ``Query.label_sheet``, on the REST use case."""

from __future__ import annotations

import base64
from datetime import datetime
from enum import Enum

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import Info

from retrace.api.graphql.context import context_of
from retrace.api.routers.labels import printer_for
from retrace.app.labels import MEDIA_TYPES, LabelContent, LabelFormat, SheetChoice
from retrace.domain.links import link_for
from retrace.domain.model import TracedObject


@strawberry.enum(description="A label's file format: PNG (300 dpi), SVG, or PDF (A4 sheets).")
class LabelFileFormat(Enum):
    PNG = strawberry.enum_value("png", description="A raster label at 300 dpi, for label printers.")
    SVG = strawberry.enum_value("svg", description="A vector label, for design tools and web pages.")
    PDF = strawberry.enum_value("pdf", description="A4 sheets of labels (2×5), Chinese and English.")


@strawberry.type(description="Printed labels as a file (GraphQL carries it base64-encoded).")
class LabelFile:
    content_type: str = strawberry.field(description="image/png, image/svg+xml or application/pdf.")
    filename: str = strawberry.field(description="A file name to save it under, with its extension.")
    base64: str = strawberry.field(description="The file, base64-encoded.")
    links: list[str] = strawberry.field(description="The link each QR code holds, in label order.")


def _file(data: bytes, fmt: LabelFormat, name: str, contents: list[LabelContent]) -> LabelFile:
    return LabelFile(
        content_type=MEDIA_TYPES[fmt],
        filename=f"{name}.{fmt.value}",
        base64=base64.b64encode(data).decode("ascii"),
        links=[c.link.uri for c in contents],
    )


def label_link(obj: TracedObject, info: Info) -> str | None:
    """For ``Item.label_link``: the link the object's QR label carries; null for a voided object."""
    if not obj.keys:
        return None
    return link_for(obj.keys, context_of(info).services.settings.resolver_base).uri


async def item_label(obj: TracedObject, info: Info, fmt: LabelFileFormat) -> LabelFile:
    """For ``Item.label(format)``."""
    printer = printer_for(context_of(info).services)
    contents = await printer.for_objects([obj])
    chosen = LabelFormat(fmt.name.lower())  # member names mirror LabelFormat's values
    data = await run_in_threadpool(printer.single, contents[0], chosen)
    return _file(data, chosen, f"label-{obj.id}", contents)


async def label_sheet(
    info: Info,
    identifiers: list[str] | None,
    event_id: str | None,
    party_id: str | None,
    start: datetime | None,
    end: datetime | None,
) -> LabelFile:
    """For ``Query.label_sheet``: the use case checks the choice, so the errors are REST's, field for field."""
    choice = SheetChoice(identifiers, event_id, party_id, start, end)
    printer = printer_for(context_of(info).services)
    contents = await printer.chosen(choice)
    data = await run_in_threadpool(printer.sheet, contents)
    return _file(data, LabelFormat.PDF, choice.name, contents)
