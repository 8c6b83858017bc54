"""The item page a phone opens when someone scans a label: one self-contained HTML page, Chinese and English.

No script, no font, no stylesheet from anywhere else (the page is served with a Content-Security-Policy that forbids
them): it must open in a yard with a weak signal and on any phone.  Every value from the graph is HTML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from retrace.app.resolution import Resolution
from retrace.domain.model import Party, Site, Status, Stream, kg
from retrace.targets import load_catalogue

STATUS = {
    Status.ACTIVE: ("在用", "Active"),
    Status.IN_TRANSIT: ("运输中", "In transit"),
    Status.REMANUFACTURED: ("已再制造", "Remanufactured"),
    Status.DISMANTLED: ("已拆解", "Dismantled"),
    Status.CONSUMED: ("已再生利用", "Recycled (consumed)"),
    Status.DISPOSED: ("已处置", "Disposed of"),
    Status.VOIDED: ("已作废", "Voided"),
}
STREAM = {
    Stream.WEEE: ("废弃电器电子产品", "Waste electrical and electronic equipment"),
    Stream.ELV: ("报废机动车", "End-of-life vehicle"),
    Stream.BATTERY: ("动力蓄电池", "Traction battery"),
}
EVENT = {
    "commission": ("赋码投放", "Commissioned"),
    "ship": ("发运", "Shipped"),
    "receive": ("接收", "Received"),
    "weigh": ("称重", "Weighed"),
    "aggregate": ("装入", "Packed into"),
    "disaggregate": ("取出", "Unpacked"),
    "disassemble": ("拆解", "Dismantled"),
    "transform": ("再生利用", "Transformed"),
    "remanufacture": ("再制造", "Remanufactured"),
    "dispose": ("处置", "Disposed of"),
    "correct": ("更正", "Corrected"),
    "associate": ("关联新标识", "New identifier"),
}
SCHEME = {
    "digital_link": ("GS1 数字链接", "GS1 Digital Link"),
    "sgtin": ("EPC 标识", "EPC URN"),
    "sgtin96": ("RFID 标签", "RFID tag (SGTIN-96)"),
    "sscc": ("物流单元代码", "Logistic unit (SSCC)"),
    "grai": ("可回收资产代码", "Returnable asset (GRAI)"),
    "epc": ("RFID 标签", "RFID tag (EPC)"),
    "gbt34014": ("电池编码", "Battery code (GB/T 34014)"),
    "vin": ("车辆识别代号", "VIN"),
    "internal": ("编码", "Code"),
}
TERMINAL_STATUSES = {Status.DISMANTLED, Status.CONSUMED, Status.DISPOSED, Status.VOIDED}

_CSS = """
:root{color-scheme:light;--ink:#1b2a24;--muted:#5b6b64;--line:#d8e0dc;--accent:#1f7a4d;--warn:#a35a00}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",
"Microsoft YaHei",sans-serif;color:var(--ink);background:#f4f7f5}
main{max-width:40rem;margin:0 auto;padding:1rem}
header small{color:var(--muted);letter-spacing:.02em}
h1{font-size:1.35rem;margin:.2rem 0 .6rem;line-height:1.3}
h2{font-size:1.05rem;margin:0 0 .4rem}
.en{color:var(--muted);font-size:.9em}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:1rem;background:var(--accent);color:#fff;font-weight:600}
.badge.end{background:var(--warn)}
section{background:#fff;border:1px solid var(--line);border-radius:.6rem;padding:.8rem 1rem;margin:.8rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:.92em;overflow-wrap:anywhere}
ol{list-style:none;margin:0;padding:0}li{padding:.5rem 0;border-top:1px solid var(--line)}
li:first-child{border-top:0}time{color:var(--muted);font-size:.9em;display:block}
a{color:var(--accent)}footer{color:var(--muted);font-size:.85em;margin:1.5rem 0 2rem;overflow-wrap:anywhere}
"""


@dataclass(frozen=True)
class PageLink:
    href: str
    title: str
    title_zh: str
    media_type: str


def _both(zh: str, en: str) -> str:
    return f'{escape(zh)} <span class="en">{escape(en)}</span>' if zh else escape(en)


def _party(party: Party | None, party_id: str | None) -> str:
    if party is not None:
        return _both(party.name_zh, party.name)
    return escape(party_id) if party_id else "—"


def _site(site: Site | None, site_id: str | None) -> str:
    if site is not None:
        return _both(site.name_zh, site.name)
    return escape(site_id) if site_id else "—"


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M ") + moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]


def _row(zh: str, en: str, value_html: str) -> str:
    return f"<dt>{_both(zh, en)}</dt><dd>{value_html}</dd>"


def _category(category: str | None, material: str | None) -> str:
    """The category's name in both languages (from the targets catalogue), with its code; a lot's material."""
    known = load_catalogue().category(category)
    if known is not None:
        return f"{_both(known.name_zh, known.name_en)} <code>{escape(known.category)}</code>"
    return escape(category or material or "—")


def render_item_page(resolution: Resolution, links: list[PageLink], history_href: str) -> str:
    obj, model = resolution.obj, resolution.model
    if model is not None:
        title = model.name
    elif obj.material:
        title = f"{obj.material} lot"
    else:
        title = obj.category or obj.id
    status_zh, status_en = STATUS[obj.status]
    stream_zh, stream_en = STREAM[obj.stream]
    identifiers = "<br>".join(
        f"{_both(*SCHEME.get(scheme, ('', scheme)))}: <code>{escape(value)}</code>"
        for scheme, value in obj.identifiers
    )
    what = [
        _row("类别", "Stream", _both(stream_zh, stream_en)),
        _row("品类", "Category", _category(obj.category, obj.material)),
    ]
    if model is not None:
        what.append(_row("型号", "Model", f"<code>{escape(model.id)}</code>"))
        what.append(_row("生产者", "Producer", _party(resolution.producer, model.producer_id)))
    what.append(_row("质量", "Mass", f"{kg(obj.mass_g):,.3f} kg".replace(".000 kg", " kg")))
    what.append(_row("标识", "Identifiers", identifiers or "—"))
    what.append(_row("赋码时间", "Tagged", f"<time>{_time(obj.created_at)}</time>"))

    badge = "badge end" if obj.status in TERMINAL_STATUSES else "badge"
    where = [
        _row(
            "状态",
            "Status",
            f'<span class="{badge}">{escape(status_zh)}</span> <span class="en">{status_en}</span>',
        ),
        _row("持有者", "Holder", _party(resolution.holder, obj.holder_id)),
        _row("场地", "Site", _site(resolution.site, obj.site_id)),
    ]
    if obj.in_transit_to:
        where.append(_row("运往", "In transit to", _party(resolution.in_transit_to, obj.in_transit_to)))

    events = []
    for record in resolution.recent:
        event = record.event
        kind_zh, kind_en = EVENT.get(event.type, ("", event.type))
        corrected = (
            f' <span class="en">（已更正 corrected by <code>{escape(record.corrected_by)}</code>）</span>'
            if record.corrected_by
            else ""
        )
        events.append(
            f"<li><time>{_time(event.event_time)}</time><strong>{escape(kind_zh)}</strong> "
            f'<span class="en">{escape(kind_en)}</span>{corrected}<br>'
            f"{_party(resolution.parties.get(event.party_id), event.party_id)} · "
            f"{_site(resolution.sites.get(event.site_id), event.site_id)}</li>"
        )
    shown = len(resolution.recent)
    more = (
        f'<p><a href="{escape(history_href)}">全部 {resolution.event_count} 个事件 '
        f'<span class="en">all {resolution.event_count} events (JSON)</span></a></p>'
        if resolution.event_count > shown
        else ""
    )
    link_items = "".join(
        f'<li><a href="{escape(link.href)}" type="{escape(link.media_type)}">'
        f"{_both(link.title_zh, link.title)}</a></li>"
        for link in links
    )
    canonical = resolution.canonical.uri if resolution.canonical else ""
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)} · {escape(status_zh)} {escape(status_en)} — trace</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<header><small>再生资源追溯 · Recycling traceability</small>
<h1>{escape(title)}</h1></header>
<section aria-labelledby="now"><h2 id="now">现状 <span class="en">Now</span></h2><dl>{"".join(where)}</dl></section>
<section aria-labelledby="what"><h2 id="what">这是什么 <span class="en">What it is</span></h2>
<dl>{"".join(what)}</dl></section>
<section aria-labelledby="history"><h2 id="history">最近事件 <span class="en">Recent history</span></h2>
<ol>{"".join(events) or "<li>—</li>"}</ol>{more}</section>
<section aria-labelledby="links"><h2 id="links">数据链接 <span class="en">Data links</span></h2>
<ol>{link_items}</ol></section>
<footer>标签链接 Label link: <code>{escape(canonical)}</code></footer>
</main>
</body>
</html>
"""


def render_error_page(status: int, code: str, message: str, message_zh: str) -> str:
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{status} {escape(code)} — trace</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<header><small>再生资源追溯 · Recycling traceability</small>
<h1>{escape(message_zh)}</h1></header>
<section><p class="en">{escape(message)}</p><p><code>{status} {escape(code)}</code></p></section>
</main>
</body>
</html>
"""
