"""Labels: ``GET /api/v1/items/{identifier}/label.png|.svg|.pdf`` for one object, ``POST /api/v1/labels`` for an A4
PDF sheet of many.  The QR code holds the object's link on this platform's resolver (``TRACE_RESOLVER_BASE``).

Registered before the items router, whose ``/{identifier:path}`` would otherwise take ``…/label.png`` for part of an
identifier.
"""

from __future__ import annotations

import inspect
import re
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from retrace.adapters.labels import QrLabelRenderer
from retrace.api.deps import ServicesDep
from retrace.api.errors import error_responses
from retrace.api.routers.items import IdentifierParam
from retrace.api.schemas.labels import LabelSheetRequest
from retrace.app import labels as labels_use_case
from retrace.app.labels import MEDIA_TYPES, LabelFormat, PrintLabels
from retrace.bootstrap import Services
from retrace.domain.errors import TraceError

router = APIRouter(tags=["labels"])

_DESCRIPTION = inspect.cleandoc(labels_use_case.__doc__ or "")
_COLLAPSED_SCHEME = re.compile(r"^(https?):/(?!/)", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@cache
def _renderer() -> QrLabelRenderer:
    # Stateless once built (it only looks up fonts on the machine), so one serves every request.
    return QrLabelRenderer()


def printer_for(services: Services) -> PrintLabels:
    """The label use case on this platform's store and resolver base (REST and GraphQL share it)."""
    return PrintLabels(services.store, _renderer(), services.settings.resolver_base)


def get_labels(services: ServicesDep) -> PrintLabels:
    return printer_for(services)


LabelsDep = Annotated[PrintLabels, Depends(get_labels)]


def _filename(text: str, fmt: LabelFormat) -> str:
    return f"label-{_UNSAFE.sub('_', text).strip('_')[-80:] or 'item'}.{fmt.value}"


def _file(content: bytes, fmt: LabelFormat, filename: str) -> Response:
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"},
    )


_FILES = {fmt: {"schema": {"type": "string", "format": "binary"}} for fmt in MEDIA_TYPES.values()}


@router.get(
    "/api/v1/items/{identifier:path}/label.{fmt}",
    summary="One label / 单个标签",
    description=_DESCRIPTION,
    response_class=Response,
    responses={200: {"description": "The label.", "content": _FILES}, **error_responses(404, 422, 503)},
)
async def item_label(
    identifier: IdentifierParam,
    fmt: Annotated[
        LabelFormat, Path(description="`png` (300 dpi), `svg`, or `pdf` (one label on an A4 sheet).")
    ],
    labels: LabelsDep,
) -> Response:
    given = _COLLAPSED_SCHEME.sub(r"\1://", identifier)
    try:
        (content,) = await labels.for_identifiers([given])
    except TraceError as e:  # one identifier, named by the path parameter
        if e.field and e.field.startswith("identifiers[0]"):
            e.field = "identifier" + e.field.removeprefix("identifiers[0]")
        raise
    drawn = await run_in_threadpool(labels.single, content, fmt)
    return _file(drawn, fmt, _filename(content.link.path, fmt))


@router.post(
    "/api/v1/labels",
    summary="A sheet of labels (PDF) / 标签页（PDF）",
    description=_DESCRIPTION,
    response_class=Response,
    responses={
        200: {
            "description": "A4 pages of labels.",
            "content": {MEDIA_TYPES[LabelFormat.PDF]: _FILES["application/pdf"]},
        },
        **error_responses(404, 413, 422, 503),
    },
)
async def label_sheet(body: LabelSheetRequest, labels: LabelsDep) -> Response:
    choice = body.choice()
    contents = await labels.chosen(choice)
    drawn = await run_in_threadpool(labels.sheet, contents)
    return _file(drawn, LabelFormat.PDF, _filename(choice.name, LabelFormat.PDF))
