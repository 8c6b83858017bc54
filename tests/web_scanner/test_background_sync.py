"""Background Sync: an event queued while offline is sent by the service worker when the network returns, also after
the page was closed; it is sent exactly once whoever sends it (the page, the worker, or both trying at once), and
the visible queue says what happened.

The browser fires the sync by itself when it sees the network come back; the tests also fire it through the Chrome
DevTools Protocol (``ServiceWorker.dispatchSyncEvent``), so it runs whether or not the browser already has: a
second sync must find nothing left to send."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, CDPSession, Page, Request, expect

from tests.web_scanner.conftest import Console, LiveServer, open_scanner, until, wait_for_service_worker

pytestmark = pytest.mark.browser

SYNC_TAG = "trace-scanner-outbox"


class Posts:
    """Every capture request of the page and of its service worker, with the event ids it carried."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bool]] = []  # (event id, sent by the service worker)

    def on_request(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/events"):
            body: dict[str, Any] = request.post_data_json or {}
            by_worker = request.service_worker is not None
            self.sent.extend((e["event_id"], by_worker) for e in body.get("events", []))

    def count(self, event_id: str) -> int:
        return sum(1 for sent, _ in self.sent if sent == event_id)

    def by_worker(self, event_id: str) -> bool:
        return any(worker for sent, worker in self.sent if sent == event_id)


class DevTools:
    """A DevTools session, on a blank page of the browser context (the scanner itself may be closed), that fires the
    scanner's background sync as the browser does when the network returns."""

    def __init__(self, context: BrowserContext, server: LiveServer) -> None:
        self.origin = server.base
        self.page = context.new_page()
        self.cdp: CDPSession = context.new_cdp_session(self.page)
        scope = f"{server.base}/scan/"
        found: list[str] = []

        def updated(event: dict[str, Any]) -> None:
            found.extend(
                r["registrationId"]
                for r in event["registrations"]
                if r["scopeURL"] == scope and not r["isDeleted"]
            )

        self.cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
        self.cdp.send("ServiceWorker.enable")
        # DevTools reports the registrations at once; its events arrive while Playwright waits.
        for _ in range(200):
            if found:
                break
            self.page.wait_for_timeout(50)
        assert found, "the scanner's service worker is not registered"
        self.registration = found[-1]

    def fire_sync(self) -> None:
        self.cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": self.origin,
                "registrationId": self.registration,
                "tag": SYNC_TAG,
                "lastChance": False,
            },
        )


def _stored_events(server: LiveServer) -> int:
    counts: dict[str, int] = httpx.get(f"{server.base}/healthz", timeout=30).json()["counts"]
    return counts["events"]


def _stored_with_id(server: LiveServer, code: str, event_id: str) -> list[dict[str, Any]]:
    return [e["event"] for e in server.history(code)["events"] if e["event"]["event_id"] == event_id]


def _weigh(page: Page, kg: str) -> str:
    page.click("#act-weigh")
    page.fill("#f-mass", kg)
    page.click("#sheet-submit")
    expect(page.locator("#sheet")).to_be_hidden()
    event_id = page.locator("#queue-list li[data-event-id]").last.get_attribute("data-event-id")
    assert event_id
    return event_id


def _sync_registered(page: Page) -> None:
    until(page, f"(await (await navigator.serviceWorker.ready).sync.getTags()).includes('{SYNC_TAG}')")


def _hear_worker_outcomes(page: Page) -> None:
    """Collect in the page what the service worker reports after each pass through the queue."""
    page.evaluate(
        """() => {
            window.workerOutcomes = [];
            navigator.serviceWorker.addEventListener('message', (m) => {
                const data = m.data || {};
                if (data.source === 'trace-outbox' && data.outcome) window.workerOutcomes.push(data.outcome);
            });
        }"""
    )


def test_an_event_queued_offline_is_sent_by_the_service_worker_once_after_the_page_was_closed(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv(holder="dismantler")
    posts = Posts()
    context.on("request", posts.on_request)
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    wait_for_service_worker(page)
    assert page.evaluate("'SyncManager' in self && 'locks' in navigator")
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "dismantler")
    before = _stored_events(live_server)

    context.set_offline(True)
    expect(page.locator("#net")).to_have_text("Offline")
    event_id = _weigh(page, "27.5")
    expect(page.locator(f"#queue-list li[data-event-id='{event_id}']")).to_have_attribute(
        "data-state", "pending"
    )
    _sync_registered(page)  # the page left the queue to the service worker …
    page.close()  # … and is gone before the network returns
    assert posts.count(event_id) == 0

    devtools = DevTools(context, live_server)
    with context.expect_event(
        "requestfinished",
        predicate=lambda r: r.url.endswith("/api/v1/events") and r.service_worker is not None,
    ):
        context.set_offline(False)
        devtools.fire_sync()
    stored = _stored_with_id(live_server, tv, event_id)
    assert len(stored) == 1 and stored[0]["type"] == "weigh" and stored[0]["mass_kg"] == 27.5
    assert (stored[0]["party_id"], stored[0]["site_id"]) == ("dismantler", "site-dismantler")
    assert posts.count(event_id) == 1 and posts.by_worker(event_id)

    # Opened again, the page shows the truth: nothing waits, and the event was sent in the background.
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    expect(page.locator("#queue-list li[data-event-id]")).to_have_count(0)
    expect(page.locator("#queue-count")).to_have_text("0")
    sent = page.locator(f"#sent-list li[data-event-id='{event_id}']")
    expect(sent).to_have_attribute("data-state", "created")
    expect(sent).to_have_attribute("data-via", "background")
    expect(sent).to_contain_text("sent in the background")
    expect(page.locator("#item [data-fact='mass']")).to_have_text("27.5 kg")

    # Another sync (the browser retrying, say) finds nothing to send.
    _hear_worker_outcomes(page)
    devtools.fire_sync()
    until(page, "window.workerOutcomes.length > 0")
    assert page.evaluate("window.workerOutcomes") == [{"sent": 0, "refused": 0, "stopped": None}]
    assert posts.count(event_id) == 1
    assert len(_stored_with_id(live_server, tv, event_id)) == 1
    assert _stored_events(live_server) == before + 1
    assert console.errors == [], console.errors


def test_the_page_and_the_service_worker_sending_at_once_send_each_event_once(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    """Back online with the page open: the page sends its queue and the worker's sync fires at the same moment; the
    Web Lock they share lets one of them send each event, and the other finds it gone."""
    tv = live_server.new_tv(holder="dismantler")
    posts = Posts()
    context.on("request", posts.on_request)
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    wait_for_service_worker(page)
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "dismantler")
    devtools = DevTools(context, live_server)
    before = _stored_events(live_server)

    context.set_offline(True)
    expect(page.locator("#net")).to_have_text("Offline")
    ids = [_weigh(page, kg) for kg in ("31", "30.5", "30")]
    expect(page.locator("#queue-list li[data-state='pending']")).to_have_count(3)
    _sync_registered(page)

    context.set_offline(False)
    devtools.fire_sync()
    devtools.fire_sync()
    expect(page.locator("#queue-list li[data-event-id]")).to_have_count(0)
    expect(page.locator("#queue-count")).to_have_text("0")
    for event_id in ids:
        expect(page.locator(f"#sent-list li[data-event-id='{event_id}']")).to_have_attribute(
            "data-state", "created"
        )
    # An empty queue is final: every send reads the queue under the lock, so none can still be on its way.
    expect(page.locator("#queue-list li.empty")).to_be_visible()
    stored = [e["event"] for e in live_server.history(tv)["events"]]
    assert [e["event_id"] for e in stored if e["type"] == "weigh"] == ids  # in the order recorded
    assert [posts.count(event_id) for event_id in ids] == [1, 1, 1], posts.sent
    assert _stored_events(live_server) == before + 3
    expect(page.locator("#item [data-fact='mass']")).to_have_text("30 kg")
    assert console.errors == [], console.errors
