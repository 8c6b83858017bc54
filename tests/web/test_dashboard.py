"""The dashboard at /dashboard/ in the real Chromium (Debian's package) against the real app served by uvicorn over
the demo data: it renders the demo's numbers in both languages and views, drills down to a site's events, logs no
error, loads nothing from elsewhere, and leaves a screenshot of itself in docs/."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from retrace.api.app import create_app
from retrace.config import Settings
from tests.conftest import copy_demo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[2] / "docs"
PERIOD = "from=2025-01&to=2026-09"


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = copy_demo(demo_template, tmp_path_factory.mktemp("dashboard"))
    settings = Settings(store="sqlite", sqlite_path=path, env="development")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-dashboard", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page, and every console error, page error, failed request and request to another host it caused."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.page: Page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
        self.problems: list[str] = []
        host = base.split("//", 1)[1]

        def console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                self.problems.append(f"console {message.type}: {message.text}")

        self.page.on("console", console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        self.page.on(
            "request",
            lambda request: (
                None
                if request.url.split("//", 1)[1].startswith(host) or request.url.startswith("data:")
                else self.problems.append(f"elsewhere: {request.url}")
            ),
        )

    def ready(self) -> Page:
        self.page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        return self.page


@pytest.fixture
def watched(browser: Browser, server: str) -> Iterator[Watched]:
    w = Watched(browser, server)
    try:
        yield w
    finally:
        w.page.close()
    assert w.problems == []


def test_the_regulator_view_shows_the_demo_report_against_the_targets(server: str, watched: Watched) -> None:
    report = httpx.get(f"{server}/api/v1/reports/recovery?{PERIOD}", timeout=30).json()
    rate = f"{report['figures']['recycling_rate'] * 100:.1f} %"
    watched.page.goto(f"{server}/dashboard/?lang=en&{PERIOD}")
    page = watched.ready()
    expect(page.locator("h1")).to_have_text("Recovery dashboard")
    expect(page.locator("#cards")).to_contain_text(rate)
    expect(page.locator("#cards")).to_contain_text("Treated")
    reagents = f"{report['figures']['reagents_kg'] / 1000:.3f}"  # the refinery's declared reagents
    expect(page.locator("#cards .card", has_text="Reagents")).to_contain_text(reagents)
    # One bullet per rate target checked; the ELV and EU WEEE targets, each refiner's element targets.
    rates = [c for c in report["checks"] if c["target"]["unit"] == "%"]
    expect(page.locator("#bullets .bullet")).to_have_count(len(rates))
    expect(page.locator('#bullets .bullet[data-target="eu_elv_recycling"]')).to_contain_text("✗")
    expect(
        page.locator('#bullets .bullet[data-target="cn_battery_2024_li"][data-subject="ganzhou-lithium"]')
    ).to_be_visible()
    # The Sankey: streams into material classes into fates.
    assert page.locator("#sankey path.link").count() >= 10
    expect(page.locator("#sankey")).to_contain_text("End-of-life vehicles")
    expect(page.locator("#sankey")).to_contain_text("Recycling")
    expect(page.locator("#indicators")).to_contain_text("Scrap iron and steel")
    # The sites' mass balances, with what does not add up.
    high_yield = page.locator('#sites-table tr[data-site="s-xiangjiang-weee-wangcheng"]')
    expect(high_yield).to_contain_text("yield suspiciously high")
    expect(page.locator('#sites-table tr[data-site="s-chaoyang-metals-guiyu"]')).to_contain_text(
        "more copper out than in"
    )
    expect(page.locator('#sites-table tr[data-site="s-shudu-weee-xindu"]')).to_contain_text("unknown fate")
    expect(page.locator('#sites-table tr[data-site="s-hongda-battery-humen"]')).to_contain_text(
        "treated without a valid licence"
    )


def test_a_site_opens_into_its_mass_balance_and_its_events(server: str, watched: Watched) -> None:
    watched.page.goto(f"{server}/dashboard/?lang=en&{PERIOD}")
    page = watched.ready()
    page.locator('#sites-table tr[data-site="s-xiangjiang-weee-wangcheng"]').click()
    drawer = page.locator("#drawer")
    expect(drawer).to_be_visible()
    expect(drawer).to_contain_text("Wangcheng dismantling plant")
    expect(page.locator("#records-table tbody tr").first).to_be_visible()
    assert page.locator("#records-table tbody tr").count() == 60
    expect(page.locator("#records-table")).to_contain_text("demo-")
    page.locator("#drawer-close").click()
    expect(drawer).to_be_hidden()
    # A number opens into the sites it came from, and a site from there into its events.
    page.locator('#bullets .bullet[data-target="eu_elv_recycling"]').click()
    expect(page.locator("#drill-table tbody tr").first).to_be_visible()
    expect(page.locator("#drill-table")).to_contain_text("Wuzhong dismantling yard")
    page.locator('#drill-table tr[data-key="s-suzhou-elv-wuzhong"]').click()
    expect(page.locator("#records-table")).to_contain_text("demo-")


def test_the_chinese_regulator_view_and_its_screenshot(server: str, watched: Watched) -> None:
    watched.page.goto(f"{server}/dashboard/?lang=zh&{PERIOD}")
    page = watched.ready()
    expect(page.locator("h1")).to_have_text("回收利用看板")
    expect(page.locator("#cards")).to_contain_text("再生利用率")
    expect(page.locator("#sankey")).to_contain_text("报废机动车")
    expect(page.locator('#sites-table tr[data-site="s-xiangjiang-weee-wangcheng"]')).to_contain_text(
        "产出率异常偏高"
    )
    page.locator("[data-lang=en]").click()  # the switch re-renders in place
    expect(page.locator("h1")).to_have_text("Recovery dashboard")
    page.locator("[data-lang=zh]").click()
    expect(page.locator("h1")).to_have_text("回收利用看板")
    page.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)


def test_the_producer_view_shows_epr_by_product_line(server: str, watched: Watched) -> None:
    epr = httpx.get(
        f"{server}/api/v1/reports/producers?{PERIOD}&producer_id=yuehua-appliances", timeout=30
    ).json()
    placed = next(p for p in epr["producers"] if p["producer_id"] == "yuehua-appliances")[
        "placed_on_market_units"
    ]
    watched.page.goto(f"{server}/dashboard/?lang=en&view=producer&producer=yuehua-appliances&{PERIOD}")
    page = watched.ready()
    expect(page.locator("#producer-cards")).to_contain_text(f"{placed} units")
    expect(page.locator('#epr-table tr[data-model="yh-led-55"]')).to_be_visible()
    expect(page.locator("select[name=producer]")).to_have_value("yuehua-appliances")
    assert page.locator("#model-bullets .bullet").count() >= 3  # the WEEE categories of its products
    page.select_option("select[name=producer]", "jiangnan-motor")
    page.wait_for_selector('#epr-table tr[data-model="jn-ev-ncm"]')
    expect(
        page.locator('#model-bullets .bullet[data-target="cn_auto_epr_2023_recoverability"]').first
    ).to_be_visible()
    page.screenshot(path=str(DOCS / "dashboard-producer.png"), full_page=True)


def test_a_bullet_drills_into_the_quantity_its_rate_is_made_of_or_offers_none(
    server: str, watched: Watched
) -> None:
    watched.page.goto(f"{server}/dashboard/?lang=en&{PERIOD}")
    page = watched.ready()
    bullets = page.locator("#bullets")
    expect(bullets.locator('.bullet[data-target="eu_elv_recycling"]')).to_have_attribute(
        "data-drill", "recycled"
    )
    expect(bullets.locator('.bullet[data-target="eu_elv_recovery"]')).to_have_attribute(
        "data-drill", "recovered"
    )
    collection = bullets.locator('.bullet[data-target="eu_weee_collection"]')
    expect(collection).to_have_attribute("data-drill", "collected")
    collection.click()
    expect(page.locator("#drawer-title")).to_contain_text("Collected")
    collected = httpx.get(
        f"{server}/api/v1/reports/drilldown?{PERIOD}&measure=collected&stream=weee", timeout=30
    ).json()
    expect(page.locator("#drawer")).to_contain_text(f"{collected['total_kg'] / 1000:.3f}")
    page.locator("#drawer-close").click()
    # An EPR rate counts units, not mass: no drill-down is offered, and clicking it opens nothing.
    epr = bullets.locator('.bullet[data-target="cn_epr_2025"]')
    expect(epr).not_to_have_attribute("data-drill", re.compile(".*"))
    epr.click()
    expect(page.locator("#drawer")).to_be_hidden()


def test_a_province_shows_its_epr_target_as_not_applicable(server: str, watched: Watched) -> None:
    watched.page.goto(f"{server}/dashboard/?lang=en&scope=province:43&{PERIOD}")
    page = watched.ready()
    epr = page.locator('#bullets .bullet[data-target="cn_epr_2025"]')
    expect(epr).to_contain_text("not applicable")
    expect(epr).to_have_attribute(
        "title", re.compile("^not applicable: EPR rates are producers' obligations")
    )


def test_the_sankey_switches_between_materials_and_the_chain_of_parties(
    server: str, watched: Watched
) -> None:
    roles = httpx.get(f"{server}/api/v1/reports/flows?{PERIOD}&view=roles", timeout=30).json()
    watched.page.goto(f"{server}/dashboard/?lang=en&{PERIOD}")
    page = watched.ready()
    expect(page.locator("#sankey-title")).to_have_text(
        "Material flows: streams → material classes → final fate"
    )
    expect(page.locator("#sankey")).to_have_attribute("data-view", "materials")
    page.locator("[data-flow=roles]").click()
    expect(page.locator("#sankey")).to_have_attribute("data-view", "roles")
    page.wait_for_selector("body[data-state=ready]")
    expect(page.locator("#sankey-title")).to_have_text("Custody flows: collectors → dismantlers → recyclers")
    expect(page.locator("[data-flow=roles]")).to_have_attribute("aria-pressed", "true")
    assert page.locator("#sankey path.link").count() == len(roles["links"]) > 2
    for node in ("role:collector", "role:dismantler", "role:recycler"):
        expect(page.locator(f'#sankey g.node[data-node="{node}"]')).to_be_visible()
    expect(page.locator("#sankey")).to_contain_text("Dismantlers")
    assert "flow=roles" in page.url  # the choice is kept in the address
    page.locator("[data-lang=zh]").click()
    expect(page.locator("#sankey-title")).to_have_text("物质流转：回收网点 → 拆解企业 → 综合利用企业")


def test_the_chinese_producer_view_shows_its_target_and_gaps(server: str, watched: Watched) -> None:
    epr = httpx.get(
        f"{server}/api/v1/reports/producers?{PERIOD}&producer_id=yuehua-appliances", timeout=30
    ).json()
    mine = next(p for p in epr["producers"] if p["producer_id"] == "yuehua-appliances")
    line = next(x for x in epr["lines"] if x["model_id"] == "yh-led-55")
    watched.page.goto(f"{server}/dashboard/?lang=zh&view=producer&producer=yuehua-appliances&{PERIOD}")
    page = watched.ready()
    expect(page.locator("h1")).to_have_text("回收利用看板")
    expect(page.locator("button[data-view=producer]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("body")).not_to_have_attribute("aria-pressed", re.compile(".*"))
    cards = page.locator("#producer-cards")
    expect(cards).to_contain_text(f"{mine['placed_on_market_units']} 台/件")
    expect(cards).to_contain_text("规范回收处理率")
    expect(cards).to_contain_text(f"{mine['rate'] * 100:.1f} %")
    gap = mine["gap"] * 100
    expect(cards).to_contain_text(f"目标 {mine['target'] * 100:.0f} %")
    expect(cards).to_contain_text(f"差距 {'+' if gap >= 0 else '−'}{abs(gap):.1f} pt")
    expect(page.locator("#epr h2, section h2").filter(has_text="生产者责任延伸：各产品线")).to_be_visible()
    row = page.locator('#epr-table tr[data-model="yh-led-55"]')
    expect(row).to_be_visible()
    line_gap = line["gap"] * 100
    expect(row).to_contain_text(f"{'+' if line_gap >= 0 else '−'}{abs(line_gap):.1f} pt")
    expect(page.locator("#epr-table thead")).to_contain_text("差距")
    # Its EPR rate is checked (a bullet) but offers no mass drill-down; the WEEE category rates do.
    expect(page.locator('#model-bullets .bullet[data-target="cn_epr_2025"]')).not_to_have_attribute(
        "data-drill", re.compile(".*")
    )
    expect(page.locator('#model-bullets .bullet[data-target="eu_weee_cat2_recycling"]')).to_have_attribute(
        "data-drill", "recycled"
    )
    expect(page.locator("#model-bullets")).not_to_contain_text("报废汽车资源综合利用率")  # not its stream


def test_the_dashboard_is_served_with_a_policy_that_allows_only_itself(server: str) -> None:
    page = httpx.get(f"{server}/dashboard/", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace("http-equiv", "")  # nothing loaded by absolute address
    for asset in ("app.js", "charts.js", "i18n.js", "app.css", "icon.svg"):
        answer = httpx.get(f"{server}/dashboard/{asset}", timeout=10)
        assert answer.status_code == 200, asset
        again = httpx.get(
            f"{server}/dashboard/{asset}", headers={"If-None-Match": answer.headers["etag"]}, timeout=10
        )
        assert again.status_code == 304
    assert httpx.get(f"{server}/dashboard/nothing.js", timeout=10).status_code == 404
    assert httpx.get(f"{server}/dashboard", timeout=10, follow_redirects=False).status_code == 307
