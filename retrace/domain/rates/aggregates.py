"""Flow aggregates: flow records summed by month and by everything a report filters or groups on.

Both stores keep these sums current inside the same transaction that writes the flow records (``GraphStore.commit``),
so a national report adds up a few thousand aggregate rows instead of scanning every event.  A correction's
reversing records carry the original event time, so they land in the month of what they cancel.

The key of a record is computed here, once, for both stores: ``aggregate_key``.  Months are calendar months in China
Standard Time (``REPORTING_TZ``): a report for January 2026 covers what happened in January in China.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone

from retrace.domain import errors as codes
from retrace.domain.changes import Direction, FlowRecord, Stage
from retrace.domain.errors import InvalidInput
from retrace.domain.model import Stream
from retrace.domain.rates.materials import TRACKED_ELEMENTS

REPORTING_TZ = timezone(timedelta(hours=8), "CST")
_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")


def month_of(moment: datetime) -> str:
    """``YYYY-MM`` of the instant in China Standard Time."""
    return moment.astimezone(REPORTING_TZ).strftime("%Y-%m")


def parse_month(text: str, field: str = "month") -> str:
    if not _MONTH.match(text):
        raise InvalidInput(
            f"{text!r} is not a month (YYYY-MM)",
            code=codes.VALIDATION_ERROR,
            message_zh="月份格式应为 YYYY-MM",
            field=field,
        )
    return text


def month_start(month: str) -> datetime:
    """The first instant of ``month`` (China Standard Time)."""
    year, mon = int(month[:4]), int(month[5:7])
    return datetime(year, mon, 1, tzinfo=REPORTING_TZ)


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def add_months(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(start: str, end: str) -> int:
    """How many months from ``start`` to ``end``, both included."""
    return (int(end[:4]) * 12 + int(end[5:7])) - (int(start[:4]) * 12 + int(start[5:7])) + 1


@dataclass(frozen=True, order=True)
class AggregateKey:
    """The dimensions of one aggregate row.  Absent values are ``""`` (stores keep them so, for unique keys)."""

    month: str
    site_id: str
    party_id: str
    counterparty_id: str
    stream: str
    direction: str
    stage: str
    material: str
    fate: str
    prior_fate: str
    model_id: str
    origin_site_id: str
    origin_month: str

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def text(self) -> str:
        """One string for the whole key (the Neo4j store's unique node key)."""
        return "\x1f".join(getattr(self, f.name) for f in fields(self))


KEY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(AggregateKey))


def aggregate_key(flow: FlowRecord) -> AggregateKey:
    return AggregateKey(
        month=month_of(flow.event_time),
        site_id=flow.site_id,
        party_id=flow.party_id,
        counterparty_id=flow.counterparty_id or "",
        stream=flow.stream.value,
        direction=flow.direction.value,
        stage=flow.stage.value if flow.stage else "",
        material=flow.material,
        fate=flow.fate or "",
        prior_fate=flow.prior_fate or "",
        model_id=flow.model_id or "",
        origin_site_id=flow.origin_site_id or "",
        origin_month=month_of(flow.origin_at) if flow.origin_at else "",
    )


@dataclass
class Sums:
    """What an aggregate row adds up; ``elements_g`` in ``TRACKED_ELEMENTS`` order."""

    mass_g: int = 0
    count: int = 0
    value_cny: int = 0
    elements_g: list[int] | None = None

    def add(self, flow: FlowRecord) -> None:
        self.mass_g += flow.mass_g
        self.count += -1 if flow.reverses else 1
        self.value_cny += flow.value_cny
        if self.elements_g is None:
            self.elements_g = [0] * len(TRACKED_ELEMENTS)
        content = dict(flow.elements_g)
        for i, element in enumerate(TRACKED_ELEMENTS):
            self.elements_g[i] += content.get(element, 0)

    @property
    def elements(self) -> list[int]:
        return self.elements_g or [0] * len(TRACKED_ELEMENTS)


def aggregate(flows: Iterable[FlowRecord]) -> list[tuple[AggregateKey, Sums]]:
    """The flows of one commit summed by key, sorted by key (so concurrent writers touch rows in one order)."""
    out: dict[AggregateKey, Sums] = {}
    for flow in flows:
        out.setdefault(aggregate_key(flow), Sums()).add(flow)
    return sorted(out.items(), key=lambda kv: kv[0])


@dataclass(frozen=True)
class FlowAggregate:
    """One row of a flow-aggregate query: sums over the months asked for, by every dimension but the month
    (``month`` is set only when the query groups by month)."""

    site_id: str
    party_id: str
    counterparty_id: str | None
    stream: Stream
    direction: Direction
    stage: Stage | None
    material: str
    fate: str | None
    prior_fate: str | None
    model_id: str | None
    origin_site_id: str | None
    origin_month: str | None
    mass_g: int
    count: int
    value_cny: int = 0
    elements_g: tuple[tuple[str, int], ...] = ()
    month: str | None = None

    def element(self, name: str) -> int:
        return dict(self.elements_g).get(name, 0)


def row_to_aggregate(
    dims: dict[str, str], mass_g: int, count: int, value_cny: int, elements: list[int]
) -> FlowAggregate:
    """A stored row (dimensions as text, ``""`` for absent) as a ``FlowAggregate``."""

    def opt(name: str) -> str | None:
        value = dims.get(name, "")
        return value or None

    stage = opt("stage")
    return FlowAggregate(
        site_id=dims["site_id"],
        party_id=dims["party_id"],
        counterparty_id=opt("counterparty_id"),
        stream=Stream(dims["stream"]),
        direction=Direction(dims["direction"]),
        stage=Stage(stage) if stage else None,
        material=dims["material"],
        fate=opt("fate"),
        prior_fate=opt("prior_fate"),
        model_id=opt("model_id"),
        origin_site_id=opt("origin_site_id"),
        origin_month=opt("origin_month"),
        mass_g=int(mass_g),
        count=int(count),
        value_cny=int(value_cny),
        elements_g=tuple((e, int(g)) for e, g in zip(TRACKED_ELEMENTS, elements, strict=True) if g),
        month=opt("month"),
    )


def sort_key(row: FlowAggregate) -> tuple[str, ...]:
    """The order both stores return rows in."""
    return (
        row.month or "",
        row.site_id,
        row.party_id,
        row.counterparty_id or "",
        row.stream.value,
        row.direction.value,
        row.stage.value if row.stage else "",
        row.material,
        row.fate or "",
        row.prior_fate or "",
        row.model_id or "",
        row.origin_site_id or "",
        row.origin_month or "",
    )
