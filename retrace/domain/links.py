"""The web address of a traced object: what its QR label holds and what the platform's resolver answers.

An object with a GS1 key gets its GS1 Digital Link on the platform's resolver: a serialised trade item (GTIN +
serial, from a Digital Link, an EPC URN or an SGTIN tag) ``{base}/01/{gtin14}/21/{serial}``; a logistic unit such as
a cage or a pallet (SSCC, from its EPC URN, SSCC-96 tag or Digital Link) ``{base}/00/{sscc}``; a returnable asset
such as a crate (GRAI with serial) ``{base}/8003/{grai}``.  Vehicles, battery packs, modules and cells without a GS1
key, and lots, have no GS1 Digital Link; the platform gives them its own path, which the same resolver answers:
``{base}/id/{scheme}/{value}`` with scheme ``gbt34014``, ``vin`` or ``internal``.  When an object has several keys
the first of GTIN + serial, SSCC, GRAI, battery code, VIN, internal code is used, so a pack with both an EPC and a
GB/T 34014 code gets the GS1 link (what any GS1 scanner app understands).

>>> link_for(("vin:LFV2A21K0D4010942",), "https://trace.example.cn").uri
'https://trace.example.cn/id/vin/LFV2A21K0D4010942'
>>> link_for(("gs1:01/09521001101554/21/A1",), "https://trace.example.cn").uri
'https://trace.example.cn/01/09521001101554/21/A1'
>>> link_for(("gs1:00/106141412345678908",), "https://trace.example.cn").gs1_hri
'(00) 106141412345678908'
>>> key_for_path("/01/9521001101554/21/A1")
'gs1:01/09521001101554/21/A1'
>>> key_for_path("/8003/00614141123452400")
'gs1:8003/00614141123452400'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from retrace.domain import errors as codes
from retrace.domain.errors import InvalidIdentifier, InvalidInput, InvalidLink
from retrace.domain.identifiers import (
    ContainerAi,
    ContainerLink,
    DigitalLink,
    PathScheme,
    parse_digital_link,
    parse_path_value,
)

# Any host will do for parsing a path: only the path carries the identifier.
_PARSE_BASE = "https://resolver.invalid"


# GS1 keys by their primary key (the AI after "gs1:"), in the order an object's link prefers them.
_GS1_KEYS = {
    "01": re.compile(r"^gs1:01/(\d{14})/21/(.+)$", re.DOTALL),
    ContainerAi.SSCC.value: re.compile(r"^gs1:00/(\d{18})$"),
    ContainerAi.GRAI.value: re.compile(r"^gs1:8003/(0\d{13}.+)$", re.DOTALL),
}
_PREFERENCE = (
    *(f"gs1:{ai}" for ai in _GS1_KEYS),
    PathScheme.BATTERY.value,
    PathScheme.VIN.value,
    PathScheme.INTERNAL.value,
)


def _kind(key: str) -> str:
    """``gs1:01``, ``gs1:00``, ``gs1:8003`` for GS1 keys (by primary key), the scheme for the others."""
    scheme, _, rest = key.partition(":")
    return f"{scheme}:{rest.split('/', 1)[0]}" if scheme == "gs1" else scheme


@dataclass(frozen=True)
class ObjectLink:
    """``uri``: the full address (what a QR code holds); ``path``: the part after the resolver's base; ``key``: the
    identifier key it resolves to; ``gs1``: whether it is a GS1 Digital Link."""

    uri: str
    path: str
    key: str
    gs1: bool

    @property
    def gs1_hri(self) -> str | None:
        """The GS1 human-readable interpretation printed under a GS1 barcode: ``(01) … (21) …``, ``(00) …`` or
        ``(8003) …``."""
        for ai, pattern in _GS1_KEYS.items():
            match = pattern.match(self.key)
            if match:
                return (
                    f"(01) {match.group(1)} (21) {match.group(2)}"
                    if ai == "01"
                    else f"({ai}) {match.group(1)}"
                )
        return None


def check_base(base: str) -> str:
    """The resolver base without a trailing slash; ``InvalidInput`` unless it is an http(s) URL without query."""
    parts = urlsplit(base.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput(
            f"resolver base {base!r} must be an http:// or https:// URL without query or fragment",
            message_zh=f"解析器地址 {base!r} 必须是不带查询参数的 http:// 或 https:// 地址",
            field="resolver_base",
            code="VALIDATION_ERROR",
        )
    return base.strip().rstrip("/")


def path_segment(value: str) -> str:
    """An AI value as one path segment: everything but unreserved characters percent-encoded, as GS1 Digital Link
    asks, and a value of only dots too (every client would resolve ``/21/.`` or ``/21/..`` away as a dot segment)."""
    segment = quote(value, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def _gs1_link(root: str, ai: str, match: re.Match[str]) -> ObjectLink:
    if ai == "01":
        path = f"/01/{match.group(1)}/21/{path_segment(match.group(2))}"
    else:
        path = f"/{ai}/{path_segment(match.group(1))}"
    link = ObjectLink(root + path, path, match.group(0), gs1=True)
    # The link must read back as the same object; a value the GS1 syntax refuses is caught here.
    assert parse_digital_link(link.uri).key == link.key, link
    return link


def link_for(keys: tuple[str, ...] | list[str], base: str) -> ObjectLink:
    """The link of an object with these identifier keys on the resolver at ``base``.

    ``InvalidInput`` (``NO_IDENTIFIER``) when none of the keys has a link: an object without keys (a voided object
    gave its identifiers up), or one whose keys are of no kind a link can name."""
    root = check_base(base)
    by_kind: dict[str, str] = {}
    for key in keys:
        by_kind.setdefault(_kind(key), key)
    for kind in _PREFERENCE:
        if kind not in by_kind:
            continue
        key = by_kind[kind]
        if kind.startswith("gs1:"):
            ai = kind.removeprefix("gs1:")
            match = _GS1_KEYS[ai].match(key)
            if match is None:
                continue
            return _gs1_link(root, ai, match)
        value = key.split(":", 1)[1]
        path = f"/id/{kind}/{quote(value, safe='')}"
        return ObjectLink(root + path, path, key, gs1=False)
    if not keys:
        raise InvalidInput(
            "the object has no identifier left for a label to carry (a voided object gave its identifiers up)",
            message_zh="该物品已没有可用于标签的标识（已作废的物品不再持有标识）",
            code=codes.NO_IDENTIFIER,
            details={"keys": []},
        )
    raise InvalidInput(
        f"none of the object's identifiers ({', '.join(keys)}) can be carried by a label: a label links a GTIN "
        "with serial, an SSCC, a GRAI with serial, a battery code, a VIN or an internal code",
        message_zh=f"该物品的标识（{'、'.join(keys)}）都不能用于标签",
        code=codes.NO_IDENTIFIER,
        details={"keys": list(keys)},
    )


def _invalid_link(path: str, why: str, why_zh: str, **details: str) -> InvalidLink:
    return InvalidLink(
        f"{path!r} is not a link this resolver can read: {why}",
        message_zh=f"{path!r} 不是本解析器能识别的链接：{why_zh}",
        field="path",
        details={"path": path, "reason": why, **details},
    )


def _reason(error: InvalidIdentifier) -> tuple[str, str]:
    """The why of an identifier error, without the value it repeats (the path is reported already)."""
    return error.message.split(": ", 1)[-1], error.message_zh.split("：", 1)[-1]


def key_for_path(raw_path: str) -> str:
    """The identifier key a resolver request path names, from the path as sent (still percent-encoded).

    ``/01/{gtin}/…/21/{serial}`` is read as a GS1 Digital Link (key qualifiers such as a lot ``/10/`` may stand
    between, as the Digital Link syntax allows; a serial is required because the platform traces units);
    ``/00/{sscc}`` and ``/8003/{grai}`` (a GRAI with its serial) as the Digital Links of containers;
    ``/id/{scheme}/{value}`` as a platform path.  Anything else, or an identifier that does not validate (a GTIN,
    SSCC, GRAI or VIN check digit, a battery code's length), raises ``InvalidLink``."""
    if raw_path.startswith("/01/") or raw_path == "/01":
        try:
            return DigitalLink.parse(_PARSE_BASE + raw_path).key
        except InvalidIdentifier as e:
            if "needs a GTIN (/01/) and a serial (/21/)" in e.message:
                raise _invalid_link(
                    raw_path,
                    "a serial number (/21/…) is required: the platform resolves single units",
                    "缺少序列号（/21/…）：本平台只解析单件物品",
                ) from None
            raise _invalid_link(raw_path, *_reason(e)) from None
    if any(raw_path.startswith(f"/{ai.value}/") or raw_path == f"/{ai.value}" for ai in ContainerAi):
        try:
            return ContainerLink.parse(_PARSE_BASE + raw_path).key
        except InvalidIdentifier as e:
            raise _invalid_link(raw_path, *_reason(e)) from None
    parts = raw_path.split("/", 3)  # "", "id", scheme, value
    if len(parts) == 4 and parts[1] == "id" and parts[3]:
        try:
            scheme = PathScheme(parts[2])
        except ValueError:
            raise _invalid_link(
                raw_path,
                f"unknown scheme {parts[2]!r}; use one of {', '.join(s.value for s in PathScheme)}",
                f"未知的标识类型 {parts[2]!r}",
            ) from None
        try:
            return parse_path_value(scheme, parts[3]).key
        except InvalidIdentifier as e:
            raise _invalid_link(raw_path, *_reason(e), scheme=scheme.value) from None
    raise _invalid_link(
        raw_path,
        "expected /01/{gtin}/21/{serial}, /00/{sscc}, /8003/{grai} or /id/{scheme}/{value}",
        "应为 /01/{gtin}/21/{serial}、/00/{sscc}、/8003/{grai} 或 /id/{scheme}/{value}",
    )
