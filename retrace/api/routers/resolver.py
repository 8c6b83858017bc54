"""The platform's resolver: what a scanned label's link answers, at the root of the app.

Paths: GS1 Digital Links ``/01/{gtin}/21/{serial}`` (key qualifiers such as ``/10/{lot}`` may stand between, as the
Digital Link syntax allows), ``/00/{sscc}`` (a logistic unit: a cage, a pallet) and ``/8003/{grai}`` (a returnable asset
with its serial: a crate), and the platform's own ``/id/{scheme}/{value}`` (``gbt34014``, ``vin``, ``internal``) for
objects without a GS1 key. See ``docs/labels-and-resolver.md`` for what is implemented of the GS1-Conformant resolver
standard.

What comes back depends on what the client asks for (content negotiation on ``Accept``, with q-values):
``text/html`` (a browser, a phone's camera app; also when nothing is said) gets the item page; ``application/json``
gets the object, its passport-style data, recent events and its links; ``application/linkset+json`` gets the
links alone as an RFC 9264 linkset.  The GS1 ``linkType`` query parameter chooses a link instead: ``all`` or
``linkset`` the linkset, ``gs1:pip``/``gs1:defaultLink`` the page, ``gs1:masterData`` the JSON, ``gs1:traceability``
a 307 redirect to the event history; a link type the object does not have falls back to negotiation.  An address
that is no readable link is 400 ``INVALID_LINK``; a link to no known object 404 ``OBJECT_NOT_FOUND`` (both in the
platform's error shape, or as a short page for a browser).  GET, HEAD and OPTIONS are answered, with CORS open to any
origin, since a resolver is public by design.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from retrace.api.deps import ServicesDep
from retrace.api.errors import ErrorResponse, body, error_response, status_for
from retrace.api.item_page import PageLink, render_error_page, render_item_page
from retrace.api.schemas.resolver import ResolvedItem
from retrace.app.resolution import Resolution, ResolveLink
from retrace.domain import errors as codes
from retrace.domain.errors import NotFound, TraceError

router = APIRouter(tags=["resolver"])

GS1_VOC = "https://gs1.org/voc/"
LINKSET_TYPE = "application/linkset+json"
# The GS1 primary keys objects on this platform are identified by: trade items with serial, logistic units (SSCC),
# returnable assets (GRAI with serial).
PRIMARY_KEYS = ("01", "00", "8003")
# Other GS1 primary keys: valid Digital Link paths, but nothing on this platform is identified by them.
OTHER_PRIMARY_KEYS = ("253", "255", "401", "402", "414", "417", "8004", "8006", "8010", "8013", "8017")
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Link, Location, Content-Type",
}
_HTML_HEADERS = {
    # The page needs nothing from anywhere: say so, so a browser refuses anything injected.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
}


class Representation(StrEnum):
    HTML = "text/html"
    JSON = "application/json"
    LINKSET = LINKSET_TYPE


def negotiate(accept: str | None) -> Representation | None:
    """The representation ``accept`` prefers (RFC 9110 §12.5.1); None when it accepts none of them.

    An absent or empty header accepts anything, and then the page is answered (the GS1 default link).  At equal
    quality, a type the client names outright beats one reached through a wildcard, and then the page beats JSON."""
    if accept is None or not accept.strip():
        return Representation.HTML
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    best: tuple[float, int, int] | None = None
    chosen: Representation | None = None
    for order, offer in enumerate(Representation):
        kind = offer.value.split("/")[0]
        matches = [
            (3 if media == offer.value else 2 if media == f"{kind}/*" else 1, q)
            for media, q in ranges
            if media in (offer.value, f"{kind}/*", "*/*")
        ]
        if offer is Representation.HTML:  # XHTML asks for the same page
            matches += [(3, q) for media, q in ranges if media == "application/xhtml+xml"]
        if not matches:
            continue
        specificity, q = max(matches)  # the most specific range decides the quality
        rank = (q, specificity, -order)
        if q > 0 and (best is None or rank > best):
            best, chosen = rank, offer
    return chosen


@dataclass(frozen=True)
class Target:
    """One link of an object: a GS1 link type (``pip``, ``traceability`` …) and where it leads."""

    link_type: str
    href: str
    media_type: str
    title: str
    title_zh: str

    def as_link(self) -> dict[str, Any]:
        return {
            "href": self.href,
            "title": self.title,
            "title*": [{"value": self.title_zh, "language": "zh"}],
            "type": self.media_type,
            "hreflang": ["zh", "en"],
        }


def api_identifier(resolution: Resolution) -> str:
    """How the object is named in the REST API's paths: its canonical link, or ``scheme:value`` for the others."""
    canonical = resolution.canonical
    if canonical is not None and canonical.gs1:
        return canonical.uri
    return resolution.key


def targets(base: str, anchor: str, resolution: Resolution) -> list[Target]:
    item = f"{base}/api/v1/items/{quote(api_identifier(resolution), safe=':/')}"
    page = f"{anchor}?linkType=gs1:pip"
    return [
        Target("defaultLink", page, "text/html", "Item page", "物品页面"),
        Target("pip", page, "text/html", "Item page", "物品页面"),
        Target(
            "masterData", f"{anchor}?linkType=gs1:masterData", "application/json", "Passport data", "物品档案"
        ),
        Target("traceability", f"{item}/history", "application/json", "Event history", "事件履历"),
        Target("traceability", f"{item}/custody", "application/json", "Chain of custody", "监管链"),
        Target(
            "traceability",
            f"{item}/lineage?direction=upstream&depth=10",
            "application/json",
            "Where it came from",
            "来源",
        ),
        Target(
            "traceability",
            f"{item}/lineage?direction=downstream&depth=10",
            "application/json",
            "Where every part of it went",
            "去向",
        ),
    ]


def linkset(anchor: str, resolution: Resolution, links: list[Target]) -> list[dict[str, Any]]:
    """The RFC 9264 linkset: one link context object for the anchor, link types as GS1 Web Vocabulary URIs."""
    context: dict[str, Any] = {"anchor": anchor}
    model = resolution.model
    description = (
        model.name if model else (resolution.obj.material or resolution.obj.category or resolution.obj.id)
    )
    context["description"] = description
    context["itemDescription"] = description  # the name GS1 resolvers used before 1.2; older clients read it
    for target in links:
        context.setdefault(GS1_VOC + target.link_type, []).append(target.as_link())
    return [context]


def link_header(anchor: str, links: list[Target]) -> str:
    """Every link in the ``Link`` header too (RFC 8288), so a HEAD request is enough to discover them."""
    entries = [f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET_TYPE}"']
    entries += [
        f'<{t.href}>; rel="{GS1_VOC}{t.link_type}"; type="{t.media_type}"; title="{t.title}"' for t in links
    ]
    return ", ".join(entries)


def _link_type(value: str | None) -> str | None:
    """``gs1:pip``, ``https://gs1.org/voc/pip`` and ``http://gs1.org/voc/pip`` all mean ``pip``."""
    if not value:
        return None
    for prefix in ("gs1:", GS1_VOC, "http://gs1.org/voc/"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**_CORS, "Vary": "Accept", "Cache-Control": "no-cache", **(extra or {})}


def _error(error: TraceError, wanted: Representation | None) -> Response:
    if wanted is Representation.HTML:
        status = status_for(error)
        page = render_error_page(status, error.code, error.message, error.message_zh)
        return HTMLResponse(page, status_code=status, headers=_headers(_HTML_HEADERS))
    response = error_response(error)
    response.headers.update(_headers())
    return response


def _raw_path(request: Request) -> str:
    # The path as sent, percent-encoding kept: a serial may hold an encoded "/" that decoding would turn into a
    # path separator.
    raw: bytes | None = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else quote(request.url.path, safe="/:@!$&'()*+,;=-._~%")
    return path.split("?", 1)[0]


async def resolve(request: Request, services: ServicesDep) -> Response:
    wanted = negotiate(request.headers.get("accept"))
    raw_path = _raw_path(request)
    try:
        resolution = await ResolveLink(services.store, services.settings.resolver_base).execute(raw_path)
    except TraceError as e:
        return _head(request, _error(e, wanted))
    base = str(request.base_url).rstrip("/")
    anchor = base + raw_path
    links = targets(base, anchor, resolution)
    headers = _headers({"Link": link_header(anchor, links)})
    kind = _link_type(request.query_params.get("linkType"))
    if kind in ("all", "linkset"):
        wanted = Representation.LINKSET
    elif kind in ("pip", "defaultLink"):
        wanted = Representation.HTML
    elif kind == "masterData":
        wanted = Representation.JSON
    elif kind is not None:
        chosen = next((t for t in links if t.link_type == kind), None)
        if chosen is not None:
            return _head(request, RedirectResponse(chosen.href, status_code=307, headers=headers))
    if wanted is None:
        return _head(request, _not_acceptable())
    if wanted is Representation.HTML:
        shown = [
            PageLink(t.href, t.title, t.title_zh, t.media_type) for t in links if t.link_type != "defaultLink"
        ]
        history = next(t.href for t in links if t.link_type == "traceability")
        page = render_item_page(resolution, shown, history)
        return _head(request, HTMLResponse(page, headers={**headers, **_HTML_HEADERS}))
    sets = linkset(anchor, resolution, links)
    if wanted is Representation.LINKSET:
        return _head(request, JSONResponse({"linkset": sets}, media_type=LINKSET_TYPE, headers=headers))
    body = ResolvedItem.of(resolution, anchor, sets).model_dump(mode="json")
    return _head(request, JSONResponse(body, headers=headers))


def _head(request: Request, response: Response) -> Response:
    """HEAD gets the headers GET would, without the body."""
    if request.method != "HEAD":
        return response
    return Response(status_code=response.status_code, headers=dict(response.headers))


def _not_acceptable() -> Response:
    available = [r.value for r in Representation]
    return JSONResponse(
        body(
            "NOT_ACCEPTABLE",
            f"this resolver answers {', '.join(available)}; ask for one of them in Accept",
            f"本解析器只提供 {', '.join(available)}，请在 Accept 中选择其一",
            "Accept",
            {"available": available},
        ),
        status_code=406,
        headers=_headers(),
    )


# -- routes ---------------------------------------------------------------------------------------------------------

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Not a link this resolver can read (`INVALID_LINK`)."},
    404: {"model": ErrorResponse, "description": "No object is known by this link (`OBJECT_NOT_FOUND`)."},
    406: {
        "model": ErrorResponse,
        "description": "None of the representations the client accepts (`NOT_ACCEPTABLE`).",
    },
    422: {"model": ErrorResponse, "description": "A query parameter is malformed (`VALIDATION_ERROR`)."},
    503: {"model": ErrorResponse, "description": "The store is unavailable (`STORE_UNAVAILABLE`)."},
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The item page (`text/html`), the object with its links (`application/json`), or its links "
        "alone as an RFC 9264 linkset (`application/linkset+json`), as `Accept` or `linkType` asks.",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            LINKSET_TYPE: {"schema": {"type": "object"}},
        },
    },
    307: {
        "description": "`linkType` named a link kept elsewhere (e.g. `gs1:traceability`): go to `Location`."
    },
    **_ERRORS,
}
LinkTypeQuery = Annotated[
    str | None,
    Query(
        alias="linkType",
        description="A GS1 link type (`gs1:pip`, `gs1:masterData`, `gs1:traceability`), or `all`/`linkset` for the "
        "linkset.",
    ),
]


@router.get(
    "/01/{rest:path}",
    summary="Resolve a GS1 Digital Link / 解析 GS1 数字链接",
    description=__doc__ or "",
    response_model=ResolvedItem,
    responses=_RESPONSES,
)
async def resolve_digital_link(
    request: Request,
    services: ServicesDep,
    rest: Annotated[
        str,
        Path(
            description="`{gtin}/21/{serial}` (key qualifiers allowed), e.g. `09521001101554/21/25032400003`."
        ),
    ],
    link_type: LinkTypeQuery = None,
) -> Response:
    return await resolve(request, services)


@router.get(
    "/00/{rest:path}",
    summary="Resolve a logistic unit's GS1 Digital Link (SSCC) / 解析物流单元（SSCC）数字链接",
    description="A cage, pallet or transport box by its Serial Shipping Container Code: `/00/{sscc}` (18 digits, "
    "check digit verified). Answered exactly like `/01/…`.",
    response_model=ResolvedItem,
    responses=_RESPONSES,
)
async def resolve_sscc_link(
    request: Request,
    services: ServicesDep,
    rest: Annotated[str, Path(description="`{sscc}`, e.g. `106141412345678908`.")],
    link_type: LinkTypeQuery = None,
) -> Response:
    return await resolve(request, services)


@router.get(
    "/8003/{rest:path}",
    summary="Resolve a returnable asset's GS1 Digital Link (GRAI) / 解析可回收资产（GRAI）数字链接",
    description="A crate, bin or cylinder by its Global Returnable Asset Identifier with serial: `/8003/{grai}` (a 0, "
    "the 13-digit asset type with its check digit, then the serial, percent-encoded). A GRAI without serial names a "
    "kind of asset and is refused (400). Answered exactly like `/01/…`.",
    response_model=ResolvedItem,
    responses=_RESPONSES,
)
async def resolve_grai_link(
    request: Request,
    services: ServicesDep,
    rest: Annotated[str, Path(description="`{grai}`, e.g. `00614141123452400`.")],
    link_type: LinkTypeQuery = None,
) -> Response:
    return await resolve(request, services)


@router.get(
    "/id/{rest:path}",
    summary="Resolve a platform link (VIN, battery code, internal code) / 解析平台链接",
    description="The platform's own links for objects without a GS1 key: `/id/vin/{vin}`, `/id/gbt34014/{code}`, "
    "`/id/internal/{code}` (the value percent-encoded). Answered exactly like a GS1 Digital Link.",
    response_model=ResolvedItem,
    responses=_RESPONSES,
)
async def resolve_platform_link(
    request: Request,
    services: ServicesDep,
    rest: Annotated[str, Path(description="`{scheme}/{value}`, e.g. `vin/LJNE52N14SS000007`.")],
    link_type: LinkTypeQuery = None,
) -> Response:
    return await resolve(request, services)


async def resolve_head(request: Request, services: ServicesDep) -> Response:
    return await resolve(request, services)


@router.options("/.well-known/gs1resolver", include_in_schema=False)
async def preflight() -> Response:
    """CORS preflight: any origin may read the resolver."""
    return Response(
        status_code=204,
        headers={
            **_CORS,
            "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
            "Access-Control-Allow-Headers": "Accept, Accept-Language",
            "Access-Control-Max-Age": "86400",
            "Allow": "GET, HEAD, OPTIONS",
        },
    )


for _prefix in (*PRIMARY_KEYS, "id"):
    router.add_api_route(f"/{_prefix}/{{rest:path}}", resolve_head, methods=["HEAD"], include_in_schema=False)
    router.add_api_route(f"/{_prefix}/{{rest:path}}", preflight, methods=["OPTIONS"], include_in_schema=False)


async def _other_primary_key(request: Request) -> Response:
    error = NotFound(
        "this resolver knows serialised trade items (/01/{gtin}/21/{serial}), logistic units (/00/{sscc}), "
        "returnable assets (/8003/{grai}) and platform links (/id/…) only",
        code=codes.OBJECT_NOT_FOUND,
        message_zh="本解析器只解析带序列号的商品（/01/…/21/…）、物流单元（/00/…）、可回收资产（/8003/…）和平台链接（/id/…）",
        field="path",
        details={"path": _raw_path(request)},
    )
    return _head(request, _error(error, negotiate(request.headers.get("accept"))))


for _key in OTHER_PRIMARY_KEYS:
    router.add_api_route(
        f"/{_key}/{{rest:path}}", _other_primary_key, methods=["GET", "HEAD"], include_in_schema=False
    )


# Kept out of the API description: a fixed well-known document that cannot fail (see docs/labels-and-resolver.md).
@router.get("/.well-known/gs1resolver", include_in_schema=False)
async def resolver_description(request: Request) -> JSONResponse:
    """What this resolver supports, as the GS1-Conformant resolver standard asks every resolver to say."""
    return JSONResponse(
        {
            "name": "trace: recycled-resource traceability / 再生资源追溯平台",
            "resolverRoot": str(request.base_url).rstrip("/"),
            "supportedPrimaryKeys": list(PRIMARY_KEYS),
            "supportedLinkType": [{"namespace": GS1_VOC, "prefix": "gs1:"}],
            "linkTypeDefaultCanBeLinkset": False,
        },
        headers=_headers(),
    )
