"""Use case: query recorded events as EPCIS 2.0 (the read side of the EPCIS 2.0 REST binding, ``GET /events``).

A query is a set of the standard's query parameters (``parse_query``); the answer is a page of EPCIS 2.0 events
(``retrace.domain.epcis``, one per recorded event) and, when more may follow, the token of the next page.

Which parameters are supported, and how each is served:

- ``GE_eventTime``, ``LT_eventTime``, ``EQ_readPoint``, ``EQ_bizLocation`` (one location) and ``MATCH_epc``,
  ``MATCH_anyEPC`` (one identifier, in any form the platform reads, or the URI an EPCIS event of ours names it by)
  narrow the store's own event listing (``GraphStore.list_events``: period, site, object), so their cost follows
  the number of events that match them; so do ``eventType``, ``EQ_bizStep`` and ``EQ_disposition`` (several
  values separated by ``|``), as the event types whose EPCIS shape can meet them (``_types``).
- ``GE_recordTime`` and ``LT_recordTime``, and corrections (shown as the event they correct), are checked on the
  events that listing returns.  One page examines at most ``scan_limit``
  stored events: a page may therefore hold fewer than ``perPage`` events (the binding allows it) and still link to a
  next one; the client follows ``rel="next"`` until there is none.
- Every returned event satisfies every filter, checked on the EPCIS event itself.  A correction is the event it
  declares erroneous, sent again with an ``errorDeclaration``; the store finds it by its own time and site, so a
  period or location filter returns it only if both the declaration and the event it shows fall within it.

Rules: an unknown parameter, a value that is not of its kind (a time without an offset, an unknown event type, a
``perPage`` outside 1 … ``max_page``), a parameter given twice, several values where one is allowed, or a
``nextPageToken`` this platform did not make is a ``VALIDATION_ERROR`` (``INVALID_IDENTIFIER`` for an EPC that
cannot be any identifier) whose ``field`` names the parameter: nothing is silently ignored.  A location or EPC that
names nothing recorded matches no event.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import unquote

from retrace.app.ports import EventFilter, EventKey, GraphStore
from retrace.domain import errors as codes
from retrace.domain.changes import RecordedEvent
from retrace.domain.epcis import (
    DEFAULT_NAMING,
    SHAPES,
    Naming,
    identifier_text,
    site_uri,
    to_epcis,
)
from retrace.domain.errors import InvalidInput, NotFound, TraceError
from retrace.domain.events import Correct
from retrace.domain.identifiers import Scheme, lookup_keys
from retrace.domain.model import ObjectKind, TracedObject

QUERY_NAME = "SimpleEventQuery"
DEFAULT_PER_PAGE = 30  # the binding's default
MAX_PER_PAGE = 1000
SCAN_LIMIT = 5000

EPCIS_EVENT_TYPES = frozenset(
    {"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"}
)
# The CBV's two spellings of a business step or disposition besides the bare word: its web URI and its URN.
_BIZSTEP_PREFIXES = ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:")
_DISPOSITION_PREFIXES = ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:")
# Where an object's URI stands in an EPCIS event, by the role it plays in ours: MATCH_epc looks only at epcList and
# childEPCs (the subjects of an object event, a commission's new items, an aggregation's children).
_EPC_ROLES = frozenset({"subject", "child"})

PARAMETERS: Mapping[str, str] = {
    "eventType": "EPCIS event types, separated by `|` (ObjectEvent, AggregationEvent, TransformationEvent …).",
    "GE_eventTime": "Events at or after this time (RFC 3339 with an offset).",
    "LT_eventTime": "Events before this time (RFC 3339 with an offset).",
    "GE_recordTime": "Events recorded at or after this time (RFC 3339 with an offset).",
    "LT_recordTime": "Events recorded before this time (RFC 3339 with an offset).",
    "EQ_bizStep": "CBV business steps, separated by `|`: bare (`shipping`), web URI or URN form.",
    "EQ_disposition": "CBV dispositions, separated by `|`: bare (`in_transit`), web URI or URN form.",
    "EQ_readPoint": "One read point: a site's URI as our events give it (`urn:retrace:site:<site id>`).",
    "EQ_bizLocation": "One business location: a site's URI as our events give it.",
    "MATCH_epc": "One object, in epcList or childEPCs: any identifier form the platform reads (GS1 Digital Link, "
    "EPC URN, SGTIN-96 hex, VIN, GB/T 34014 battery code, internal code) or the URI our events name it by.",
    "MATCH_anyEPC": "One object, wherever an event names it (EPCs, parent, inputs, outputs, quantity lists); "
    "identifier forms as for MATCH_epc.",
    "perPage": f"Events per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}).",
    "nextPageToken": 'The token of the next page, as the `Link` header with `rel="next"` gives it.',
}


def _invalid(parameter: str, message: str, message_zh: str, **details: Any) -> InvalidInput:
    return InvalidInput(
        message, code=codes.VALIDATION_ERROR, message_zh=message_zh, field=parameter, details=details
    )


@dataclass(frozen=True)
class EpcisQuery:
    """A parsed query; ``None`` does not filter.  Locations are site ids; EPCs are as the client gave them."""

    event_types: frozenset[str] | None = None
    ge_event_time: datetime | None = None
    lt_event_time: datetime | None = None
    ge_record_time: datetime | None = None
    lt_record_time: datetime | None = None
    biz_steps: frozenset[str] | None = None
    dispositions: frozenset[str] | None = None
    read_point: str | None = None
    biz_location: str | None = None
    match_epc: str | None = None
    match_any_epc: str | None = None
    per_page: int = DEFAULT_PER_PAGE
    after: EventKey | None = None
    # A location URI that is not one of our sites: no event can match.
    matches_nothing: bool = False


def parse_query(
    params: Sequence[tuple[str, str]], naming: Naming = DEFAULT_NAMING, max_page: int = MAX_PER_PAGE
) -> EpcisQuery:
    """The query that the URI query string ``params`` (name, value pairs in order) asks for."""
    given: dict[str, str] = {}
    for name, value in params:
        if name not in PARAMETERS:
            raise _invalid(
                name,
                f"query parameter {name!r} is not supported; supported: {', '.join(PARAMETERS)}",
                f"不支持查询参数 {name!r}",
                supported=list(PARAMETERS),
            )
        if name in given:
            raise _invalid(
                name,
                f"{name} is given more than once; give several values once, separated by '|'",
                f"参数 {name} 重复；多个取值请用 '|' 分隔",
            )
        given[name] = value

    def one(name: str) -> str | None:
        value = given.get(name)
        if value is not None and "|" in value:
            raise _invalid(name, f"{name} takes one value", f"参数 {name} 只能取一个值")
        if value is not None and not value.strip():
            raise _invalid(name, f"{name} is empty", f"参数 {name} 为空")
        return value

    event_types = _values(given, "eventType")
    if event_types is not None:
        unknown = sorted(event_types - EPCIS_EVENT_TYPES)
        if unknown:
            raise _invalid(
                "eventType",
                f"unknown EPCIS event type {unknown[0]!r}; one of {', '.join(sorted(EPCIS_EVENT_TYPES))}",
                f"未知的 EPCIS 事件类型 {unknown[0]!r}",
                allowed=sorted(EPCIS_EVENT_TYPES),
            )
    steps = _values(given, "EQ_bizStep")
    dispositions = _values(given, "EQ_disposition")
    read_point, biz_location = one("EQ_readPoint"), one("EQ_bizLocation")
    read_site = _site_id(read_point, naming) if read_point is not None else None
    location_site = _site_id(biz_location, naming) if biz_location is not None else None
    return EpcisQuery(
        event_types=event_types,
        ge_event_time=_time(given, "GE_eventTime"),
        lt_event_time=_time(given, "LT_eventTime"),
        ge_record_time=_time(given, "GE_recordTime"),
        lt_record_time=_time(given, "LT_recordTime"),
        biz_steps=frozenset(_cbv(v, _BIZSTEP_PREFIXES) for v in steps) if steps is not None else None,
        dispositions=(
            frozenset(_cbv(v, _DISPOSITION_PREFIXES) for v in dispositions)
            if dispositions is not None
            else None
        ),
        read_point=read_site,
        biz_location=location_site,
        match_epc=one("MATCH_epc"),
        match_any_epc=one("MATCH_anyEPC"),
        per_page=_per_page(given.get("perPage"), max_page),
        after=_decode_token(given["nextPageToken"]) if "nextPageToken" in given else None,
        matches_nothing=(read_point is not None and read_site is None)
        or (biz_location is not None and location_site is None),
    )


def _values(given: Mapping[str, str], name: str) -> frozenset[str] | None:
    value = given.get(name)
    if value is None:
        return None
    parts = [part.strip() for part in value.split("|")]
    if not all(parts):
        raise _invalid(name, f"{name} has an empty value", f"参数 {name} 含空值")
    return frozenset(parts)


def _cbv(value: str, prefixes: tuple[str, ...]) -> str:
    """A CBV value as our events give it: the bare word (``shipping``), whichever CBV spelling the client used."""
    for prefix in prefixes:
        if value.startswith(prefix):
            return value.removeprefix(prefix)
    return value


def _time(given: Mapping[str, str], name: str) -> datetime | None:
    value = given.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _invalid(
            name,
            f"{name} must be an RFC 3339 time with an offset (2026-03-02T09:00:00+08:00)",
            f"参数 {name} 须为带时区偏移的 RFC 3339 时间",
        )
    return moment


def _per_page(value: str | None, max_page: int) -> int:
    if value is None:
        return DEFAULT_PER_PAGE
    try:
        count = int(value)
    except ValueError:
        count = 0
    if not 1 <= count <= max_page:
        raise _invalid(
            "perPage",
            f"perPage must be a whole number from 1 to {max_page}; follow the Link header for more",
            f"perPage 须为 1 到 {max_page} 的整数，更多结果请按 Link 头翻页",
            max_page=max_page,
        )
    return count


def _site_id(uri: str, naming: Naming) -> str | None:
    """The site a location URI of ours names (``None`` if it is not one)."""
    prefix = site_uri("", naming)
    if not uri.startswith(prefix) or uri == prefix:
        return None
    return unquote(uri.removeprefix(prefix))


# -- page tokens ---------------------------------------------------------------------------------------------------

_TOKEN_KIND = "epcis"


def encode_token(key: EventKey) -> str:
    text = "\x1f".join((_TOKEN_KIND, key.event_time.isoformat(), key.event_id))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_token(token: str) -> EventKey:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, moment, event_id = text.split("\x1f")
        if kind != _TOKEN_KIND:
            raise ValueError(kind)
        return EventKey(datetime.fromisoformat(moment), event_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid(
            "nextPageToken",
            "nextPageToken is not a token of this listing; follow the Link header of the previous page",
            "nextPageToken 无效，请使用上一页 Link 头中的链接",
        ) from None


def _key(record: RecordedEvent) -> EventKey:
    return EventKey(record.event.event_time, record.event_id)


# -- the use case --------------------------------------------------------------------------------------------------


class _Nobody(Enum):
    """What ``_subject`` answers when the EPCs asked for name no object (or two different ones): nothing matches."""

    NOBODY = "nobody"


NOBODY = _Nobody.NOBODY


@dataclass(frozen=True)
class EpcisPage:
    """EPCIS 2.0 events (without ``@context``: the document's applies) and the next page's token, if any."""

    events: list[dict[str, Any]]
    next_page_token: str | None


def _types(query: EpcisQuery) -> frozenset[str] | None:
    """Our event types whose EPCIS shape can meet the query's event type, business step and disposition (each fixed
    by the type), so the store lists only those; corrections too, as each shows the event it corrects."""
    if query.event_types is None and query.biz_steps is None and query.dispositions is None:
        return None
    return frozenset(
        name
        for name, shape in SHAPES.items()
        if (query.event_types is None or shape.event_type in query.event_types)
        and (query.biz_steps is None or shape.biz_step in query.biz_steps)
        and (query.dispositions is None or shape.disposition in query.dispositions)
    ) | {"correct"}


@dataclass
class EpcisQueries:
    store: GraphStore
    naming: Naming = field(default_factory=lambda: DEFAULT_NAMING)
    scan_limit: int = SCAN_LIMIT

    async def events(self, query: EpcisQuery) -> EpcisPage:
        """One page of the events ``query`` selects, by event time then event id."""
        subject = await self._subject(query)
        where = self._store_filter(query, subject)
        if where is None or isinstance(subject, _Nobody):
            return EpcisPage([], None)
        found: list[dict[str, Any]] = []
        position, examined = query.after, 0
        chunk = query.per_page + 1
        while True:
            records = await self.store.list_events(where, chunk, position)
            for record, (event, shown) in zip(records, await self._mapped(records), strict=True):
                if len(found) == query.per_page and position is not None:  # full, and more follow
                    return EpcisPage(found, encode_token(position))
                position, examined = _key(record), examined + 1
                if self._selects(query, event, shown, subject):
                    found.append(event)
            if len(records) < chunk:  # the listing is exhausted
                return EpcisPage(found, None)
            if examined >= self.scan_limit:
                assert position is not None
                return EpcisPage(found, encode_token(position))

    async def event(self, event_id: str) -> dict[str, Any]:
        """One event, by our event id or the EPCIS ``eventID`` (``urn:uuid:…``) it was given."""
        candidates = [event_id]
        if event_id.lower().startswith("urn:uuid:"):
            bare = event_id[len("urn:uuid:") :]
            candidates += [bare.lower(), bare.upper()]
        found = await self.store.get_events(candidates)
        for candidate in candidates:
            if candidate in found:
                return (await self._mapped([found[candidate]]))[0][0]
        raise NotFound(
            f"no event {event_id!r} is recorded",
            code=codes.EVENT_NOT_FOUND,
            message_zh=f"没有编号为 {event_id!r} 的事件",
            field="eventID",
        )

    # -- helpers ---------------------------------------------------------------------------------------------

    async def _subject(self, query: EpcisQuery) -> TracedObject | _Nobody | None:
        """The object MATCH_epc and MATCH_anyEPC name; ``NOBODY`` if they name none, or two different ones."""
        subject = None
        for name, text in (("MATCH_epc", query.match_epc), ("MATCH_anyEPC", query.match_any_epc)):
            if text is None:
                continue
            found = await self._object(text, name)
            if found is None or (subject is not None and found.id != subject.id):
                return NOBODY
            subject = found
        return subject

    def _store_filter(self, query: EpcisQuery, subject: TracedObject | _Nobody | None) -> EventFilter | None:
        """What the store's listing can narrow by; ``None`` when no event can match."""
        if query.matches_nothing or isinstance(subject, _Nobody):
            return None
        sites = {s for s in (query.read_point, query.biz_location) if s is not None}
        if len(sites) > 1:  # an event's business location, when it has one, is its read point
            return None
        start, end = query.ge_event_time, query.lt_event_time
        if start is not None and end is not None and not start < end:
            return None
        return EventFilter(
            site_id=next(iter(sites), None),
            object_id=subject.id if subject is not None else None,
            start=start,
            end=end,
            types=_types(query),
        )

    async def _object(self, text: str, parameter: str) -> TracedObject | None:
        """The object ``text`` names: any identifier form, or a URI our EPCIS events name objects by."""
        by_id = self._object_id_in_uri(text)
        if by_id is not None:
            return (await self.store.get_objects([by_id])).get(by_id)
        try:
            keys = lookup_keys(self._identifier_in_uri(text))
        except TraceError as e:
            raise e.at_field(parameter) from None
        found = await self.store.find_by_keys(keys)
        return next((found[key] for key in keys if key in found), None)

    def _object_id_in_uri(self, text: str) -> str | None:
        prefix = self.naming.uri("object", "")
        return unquote(text.removeprefix(prefix)) if text.startswith(prefix) and text != prefix else None

    def _identifier_in_uri(self, text: str) -> str:
        """``urn:retrace:vin:LFV…`` → ``vin:LFV…``; a lot's URI → its internal code; anything else as given."""
        for scheme in (Scheme.BATTERY, Scheme.VIN, Scheme.INTERNAL, Scheme.EPC_HEX, Scheme.SGTIN_HEX):
            prefix = self.naming.uri(scheme.value, "")
            if text.startswith(prefix) and text != prefix:
                return identifier_text(scheme.value, unquote(text.removeprefix(prefix)))
        lot = self.naming.uri("lot", "")
        if text.startswith(lot) and text != lot:
            return identifier_text(Scheme.INTERNAL.value, unquote(text.removeprefix(lot)))
        return text

    async def _mapped(self, records: Sequence[RecordedEvent]) -> list[tuple[dict[str, Any], RecordedEvent]]:
        """Each record as an EPCIS event, with the record whose event it shows (a correction shows the event it
        corrects).  Their objects, and the events corrections name, are read in one go each."""
        target_ids = [r.event.target_event_id for r in records if isinstance(r.event, Correct)]
        targets = await self.store.get_events(target_ids) if target_ids else {}
        named = {oid for r in (*records, *targets.values()) for oid, _ in r.object_roles}
        objects = await self.store.get_objects(sorted(named)) if named else {}
        out = []
        for record in records:
            event = to_epcis(record, objects, targets=targets, naming=self.naming)
            del event["@context"]  # the document's context applies
            shown = targets[record.event.target_event_id] if isinstance(record.event, Correct) else record
            out.append((event, shown))
        return out

    def _selects(
        self, query: EpcisQuery, event: Mapping[str, Any], shown: RecordedEvent, subject: TracedObject | None
    ) -> bool:
        """Whether an EPCIS event satisfies every filter of ``query``, checked on the event itself (``shown``: the
        record whose event it is; ``subject``: the object MATCH_epc or MATCH_anyEPC names)."""
        if query.event_types is not None and event["type"] not in query.event_types:
            return False
        if query.biz_steps is not None and event["bizStep"] not in query.biz_steps:
            return False
        if query.dispositions is not None and event.get("disposition") not in query.dispositions:
            return False
        event_time = datetime.fromisoformat(event["eventTime"])
        record_time = datetime.fromisoformat(event["recordTime"])
        for moment, start, end in (
            (event_time, query.ge_event_time, query.lt_event_time),
            (record_time, query.ge_record_time, query.lt_record_time),
        ):
            if (start is not None and moment < start) or (end is not None and moment >= end):
                return False
        for wanted, slot in ((query.read_point, "readPoint"), (query.biz_location, "bizLocation")):
            location = event.get(slot)
            if wanted is not None and (location is None or location["id"] != site_uri(wanted, self.naming)):
                return False
        if subject is not None:
            roles = {role for oid, role in shown.object_roles if oid == subject.id}
            if query.match_epc is not None:
                # epcList and childEPCs hold items only (a lot is in a quantity list): the subjects of an object
                # event, a commission's new items, an aggregation's children.
                roles &= _EPC_ROLES | ({"output"} if shown.event.type == "commission" else set())
                if subject.kind is not ObjectKind.ITEM:
                    return False
            if not roles:  # e.g. a correction of an event that did not name the object
                return False
        return True
