"""Example queries on the demo data (``trace demo``), opened as tabs of the development GraphQL IDE (GraphiQL at
``/graphql``, see ``ide.py``) and documented with their real answers in ``docs/graphql.md`` (a test runs each one on
the demo data and compares). Each names its operation: GraphiQL titles the tab with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Example:
    title: str
    title_zh: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)


EXAMPLES: list[Example] = [
    Example(
        "A TV found by its QR code",
        "按二维码查询电视机",
        """\
query TvByQrCode($qr: String!) {
  item(identifier: $qr) {
    kind
    status
    mass_kg
    identifiers { scheme value }
    model { name category producer { name name_zh } }
    holder { name_zh roles }
    site { id name_zh region { code province_name } }
  }
}
""",
        {"qr": "https://id.retrace.example/01/09521001101554/21/25032400003"},
    ),
    Example(
        "Who held a battery pack when",
        "电池包的监管链",
        """\
query PackCustody($pack: String!) {
  item(identifier: $pack) {
    category
    status
    custody {
      party { name_zh }
      site_id
      start
      end
    }
  }
}
""",
        {"pack": "SLBPEN1YB00000S2D0000007"},
    ),
    Example(
        "Where every part of a TV went",
        "电视机各部分的去向",
        """\
query TvDownstream($qr: String!) {
  item(identifier: $qr) {
    lineage(direction: DOWNSTREAM, depth: 10) {
      hops {
        distance
        kind
        mass_kg
        to { material identifiers { value } }
        event { party { name_zh } }
      }
    }
  }
}
""",
        {"qr": "https://id.retrace.example/01/09521001101554/21/25032400003"},
    ),
    Example(
        "What a lithium carbonate lot was made from",
        "碳酸锂批次由何而来",
        """\
query LithiumOrigin($lot: String!) {
  item(identifier: $lot) {
    material
    mass_kg
    lineage(direction: UPSTREAM, depth: 1) {
      hops {
        mass_kg
        from { material identifiers { value } }
        event { type event_time party { name_zh } site { name_zh } }
      }
    }
  }
}
""",
        {"lot": "GZL-2606-LC-00014"},
    ),
    Example(
        "Mass through a dismantler in a quarter",
        "拆解企业一个季度的物质平衡",
        """\
query DismantlerBalance {
  site(id: "s-qiantang-weee-xiaoshan") {
    name_zh
    mass_balance(start: "2026-01-01T00:00:00+08:00", end: "2026-04-01T00:00:00+08:00") {
      by_direction { direction mass_kg count }
    }
  }
}
""",
    ),
    Example(
        "Recyclers in Hunan and their licences",
        "湖南的综合利用企业及其资质",
        """\
query HunanRecyclers {
  parties(role: RECYCLER, region: "430000", first: 10) {
    nodes {
      id
      name_zh
      region { code }
      licences { number streams valid_to }
    }
    page_info { has_next_page end_cursor }
  }
}
""",
    ),
    Example(
        "The first events at a site in a period",
        "某场地一段时间内的事件",
        """\
query SiteEvents {
  events(site_id: "s-ganzhou-lithium-hydromet", start: "2026-06-01T00:00:00+08:00", first: 3) {
    nodes {
      event_id
      type
      event_time
      ... on TransformEvent { inputs outputs { code material mass_kg fate } }
      ... on ReceiveEvent { objects }
    }
    page_info { has_next_page end_cursor }
  }
}
""",
    ),
    Example(
        "Record a weighing",
        "记录一次称重",
        """\
mutation Weigh($event: EventInput!) {
  record_event(event: $event) {
    created
    replayed
    outcomes { event_id status }
  }
}
""",
        {
            "event": {
                "weigh": {
                    "event_id": "docs-weigh-0001",
                    "event_time": "2026-10-08T10:30:00+08:00",
                    "site_id": "s-xiaoshan-park-energy-substation",
                    "party_id": "xiaoshan-park-energy",
                    "object": "CZTPBS1WJ00000T120000001",
                    "mass_kg": 821.6,
                }
            }
        },
    ),
    Example(
        "Live: every new event at a site (a yard screen)",
        "实时：某场地的每个新事件（堆场大屏）",
        """\
subscription YardScreen {
  events_at_site(site_id: "s-xiaoshan-park-energy-substation") {
    position
    event { event_id type event_time party { name_zh } ... on WeighEvent { object mass_kg } }
  }
}
""",
    ),
]
