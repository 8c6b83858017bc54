"""The questions the benchmark times, each through the real use cases, and its naive twin where there is one.

A ``Case`` answers input ``i`` (a case with several inputs, such as identifier lookups, rotates through them), and
says how to make an answer comparable (``answer``: the part that matters, and a size for the report).  Ours and the
naive approach must give the same answers on the same store, and both stores the same answers (the data set is
deterministic and ids derive from events); the runner checks both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from retrace.app.ports import GraphStore, Lineage, LineageDirection
from retrace.app.reporting import EprReport, ReportQueries
from retrace.app.tracing import TraceQueries
from retrace.bench.naive import (
    ScanningAggregates,
    Scans,
    find_by_scan,
    inventory_by_scan,
    lineage_hop_by_hop,
)
from retrace.bench.targets import IdentifierKind, Targets
from retrace.domain.changes import RecordedEvent
from retrace.domain.model import TracedObject
from retrace.domain.rates.aggregates import REPORTING_TZ
from retrace.domain.rates.report import Period, Scope, ScopeKind
from retrace.domain.rates.targets import Catalogue

LINEAGE_DEPTH = 10
FIND_INPUTS = 10  # distinct identifiers per kind the lookups rotate through (answers checked for each)
INVENTORY_PAGE = 100
GRAPHQL_ITEMS = 100
# The synthetic data lie between 2025-01 and 2026-09; reports cover all of it, a site's balance one quarter.
WHOLE_PERIOD = Period("2025-01", "2026-12")
QUARTER = Period("2026-01", "2026-03")

Run = Callable[[int], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    name: str  # stable id, e.g. ``find.vin`` (the JSON's key)
    question: str
    question_zh: str
    ours: Run
    answer: Callable[[Any], tuple[Any, int]]  # a raw result → (what must agree, how many things it holds)
    naive: Run | None = None
    naive_means: str = ""  # what the naive approach does, in a few words
    inputs: int = 1


@dataclass(frozen=True)
class Chain:
    """A vehicle whose battery ended as lithium carbonate, and that lot (the lineage questions' ends)."""

    vin: str
    lot_code: str
    reaches_lithium_carbonate: bool


@dataclass
class Subject:
    """One loaded store and what the questions need around it."""

    kind: str
    store: GraphStore
    scans: Scans
    targets: Targets
    catalogue: Catalogue
    client: httpx.AsyncClient  # the real app, in process

    @property
    def trace(self) -> TraceQueries:
        return TraceQueries(self.store)

    @property
    def reports(self) -> ReportQueries:
        return ReportQueries(self.store, self.catalogue)

    @property
    def naive_reports(self) -> ReportQueries:
        return ReportQueries(ScanningAggregates(self.store).as_store(), self.catalogue)


async def find_chain(subject: Subject) -> Chain:
    """Walk upstream from lithium carbonate lots (the middle of the data set first) until one reaches a vehicle."""
    lots = subject.targets.lithium_carbonate_lots
    middle = len(lots) // 2
    by_distance = [code for _, code in sorted((abs(i - middle), code) for i, code in enumerate(lots))]
    for code in by_distance[:10]:
        lineage = await subject.trace.lineage(code, LineageDirection.UPSTREAM, LINEAGE_DEPTH)
        vins = sorted(k.removeprefix("vin:") for o in lineage.objects for k in o.keys if k.startswith("vin:"))
        if vins:
            return Chain(vins[0], code, True)
    vins, lot_codes = (
        subject.targets.sample(IdentifierKind.VIN),
        subject.targets.sample(IdentifierKind.LOT_CODE),
    )
    if not vins or not lot_codes:
        raise RuntimeError("the data set has no vehicle or no lot: load more items (--items)")
    return Chain(vins[0], lot_codes[0], False)


# -- how answers are compared ----------------------------------------------------------------------------------


def _object(obj: TracedObject | None) -> tuple[Any, int]:
    return obj, 0 if obj is None else 1


def _objects(found: Sequence[TracedObject]) -> tuple[Any, int]:
    return [o.id for o in found], len(found)


def _history(result: tuple[TracedObject, list[RecordedEvent]]) -> tuple[Any, int]:
    # Event ids, types and corrections in order; the instants the server recorded them differ between two loads.
    obj, events = result
    return [obj.id, [(r.event.event_id, r.event.type, r.corrected_by) for r in events]], len(events)


def _lineage(lineage: Lineage | None) -> tuple[Any, int]:
    if lineage is None:
        return None, 0
    return [lineage.root.id, [o.id for o in lineage.objects], lineage.links], len(lineage.objects)


def _whole(value: Any) -> tuple[Any, int]:
    size = len(value) if isinstance(value, list) else 1
    return value, size


def _site_lines(result: tuple[Any, list[Any]]) -> tuple[Any, int]:
    _, lines = result
    return lines, len(lines)


def _epr(report: EprReport) -> tuple[Any, int]:
    return report, len(report.lines)


def _graphql_items(items: list[Any]) -> tuple[Any, int]:
    return items, len(items)


# -- the questions ------------------------------------------------------------------------------------------------

_FIND_NAMES = {
    IdentifierKind.DIGITAL_LINK: ("a GS1 Digital Link (QR label)", "GS1 数字链接（二维码）"),
    IdentifierKind.EPC_URN: ("an EPC URN (urn:epc:id:sgtin)", "EPC URN"),
    IdentifierKind.SGTIN96_HEX: ("an RFID tag's SGTIN-96 (hex)", "RFID 标签 SGTIN-96"),
    IdentifierKind.VIN: ("a VIN", "车辆识别代号"),
    IdentifierKind.BATTERY_CODE: ("a GB/T 34014 battery code", "电池编码"),
    IdentifierKind.LOT_CODE: ("a lot's code", "批次编码"),
}

GRAPHQL_QUERY = """
query Items($ids: [String!]!) {
  items(identifiers: $ids) {
    id kind status mass_kg category material fate version created_at
    identifiers { scheme value }
    holder { id name name_zh roles }
    site { id name party { id name } }
    model { id name category producer { id name } }
    parent { id category }
    contents { id category }
    created_by { event_id type event_time }
  }
}
"""

GRAPHQL_ONE = GRAPHQL_QUERY.replace("query Items($ids: [String!]!)", "query Item($id: String!)").replace(
    "items(identifiers: $ids)", "item(identifier: $id)"
)


async def _graphql(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL answered {response.status_code}: {body.get('errors')}")
    return body["data"]


def cases(subject: Subject, chain: Chain) -> list[Case]:
    t, store, scans = subject.targets, subject.store, subject.scans
    out: list[Case] = []

    for kind in IdentifierKind.ALL:
        sample = t.sample(kind)[:FIND_INPUTS]
        if not sample:
            continue
        what, what_zh = _FIND_NAMES[kind]

        def ours(i: int, sample: list[str] = sample) -> Awaitable[TracedObject]:
            return subject.trace.find(sample[i % len(sample)])

        def naive(i: int, sample: list[str] = sample) -> Awaitable[TracedObject | None]:
            return find_by_scan(store, scans, sample[i % len(sample)])

        out.append(
            Case(
                f"find.{kind}",
                f"Find an item by {what}",
                f"按{what_zh}查找物品",
                ours,
                _object,
                naive,
                "full scan of the identifiers (index not used)",
                len(sample),
            )
        )

    out.append(
        Case(
            "history.vehicle",
            "History of a vehicle (every event, in order)",
            "车辆履历（全部事件）",
            lambda i: subject.trace.history(chain.vin),
            _history,
        )
    )

    for direction, root, what, what_zh in (
        (LineageDirection.DOWNSTREAM, chain.vin, "Where every part of a vehicle went", "车辆各部分去向"),
        (
            LineageDirection.UPSTREAM,
            chain.lot_code,
            "Where a lithium carbonate lot came from",
            "碳酸锂批次来源",
        ),
    ):

        def ours_lineage(
            i: int, root: str = root, direction: LineageDirection = direction
        ) -> Awaitable[Lineage]:
            return subject.trace.lineage(root, direction, LINEAGE_DEPTH)

        async def naive_lineage(
            i: int, root: str = root, direction: LineageDirection = direction
        ) -> Lineage | None:
            obj = await subject.trace.find(root)
            return await lineage_hop_by_hop(store, obj.id, direction, LINEAGE_DEPTH)

        out.append(
            Case(
                f"lineage.{direction.value}",
                f"{what} (lineage, depth {LINEAGE_DEPTH})",
                f"{what_zh}（溯源，深度 {LINEAGE_DEPTH}）",
                ours_lineage,
                _lineage,
                naive_lineage,
                "one store call per object reached (hop by hop)",
            )
        )

    site = t.busiest_site
    out.append(
        Case(
            "site.inventory",
            f"What is at a site now (first {INVENTORY_PAGE})",
            f"场地现有物品（前 {INVENTORY_PAGE} 件）",
            lambda i: subject.trace.at_site(site, INVENTORY_PAGE),
            _objects,
            lambda i: inventory_by_scan(store, scans, site, INVENTORY_PAGE),
            "full scan of the objects (index not used)",
        )
    )
    start, end = datetime(2026, 1, 1, tzinfo=REPORTING_TZ), datetime(2026, 4, 1, tzinfo=REPORTING_TZ)
    out.append(
        Case(
            "site.flows",
            "Mass in and out of a site in a quarter (from its flow records)",
            "场地季度进出质量（按质量流记录）",
            lambda i: subject.trace.site_flows(site, start, end),
            _whole,
        )
    )
    site_scope = Scope(ScopeKind.SITE, site)
    out.append(
        Case(
            "site.mass_balance",
            "A site's mass balance for a quarter (report)",
            "场地季度物质平衡（报告）",
            lambda i: subject.reports.sites(site_scope, QUARTER),
            _site_lines,
            lambda i: subject.naive_reports.sites(site_scope, QUARTER),
            "sums the site's flow records on each request",
        )
    )
    nation = Scope(ScopeKind.NATION)
    out.append(
        Case(
            "report.national",
            "National recovery report against the targets (all months)",
            "全国回收利用报告（对照目标，全部月份）",
            lambda i: subject.reports.recovery(nation, WHOLE_PERIOD),
            _whole,
            lambda i: subject.naive_reports.recovery(nation, WHOLE_PERIOD),
            "sums every flow record on each request",
        )
    )
    producer = t.top_producer
    out.append(
        Case(
            "report.producer_epr",
            "A producer's EPR report (placed on market vs collected and treated)",
            "生产者责任延伸报告（投放与回收处理）",
            lambda i: subject.reports.producers(WHOLE_PERIOD, producer),
            _epr,
            lambda i: subject.naive_reports.producers(WHOLE_PERIOD, producer),
            "sums every flow record on each request",
        )
    )

    identifiers = t.mixed(GRAPHQL_ITEMS)

    async def graphql_list(i: int) -> list[Any]:
        data = await _graphql(subject.client, GRAPHQL_QUERY, {"ids": identifiers})
        return list(data["items"])

    async def graphql_one_by_one(i: int) -> list[Any]:
        return [(await _graphql(subject.client, GRAPHQL_ONE, {"id": x}))["item"] for x in identifiers]

    out.append(
        Case(
            "graphql.items_100",
            f"GraphQL: {len(identifiers)} items with holder, site, model, parent, contents, creating event",
            f"GraphQL：{len(identifiers)} 件物品及其持有方、场地、型号、容器、内含物、创建事件",
            graphql_list,
            _graphql_items,
            graphql_one_by_one,
            f"{len(identifiers)} requests of one item each",
        )
    )
    return out
