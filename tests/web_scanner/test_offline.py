"""Offline: an event recorded without network waits in the visible queue (in IndexedDB, surviving a reload of the
page from the service worker's cache) and is sent once, exactly, when the network returns; a lost answer is made
good by a replay of the same event id, never by a second event."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from tests.web_scanner.conftest import Console, LiveServer, open_scanner, wait_for_service_worker

pytestmark = pytest.mark.browser


class Posts:
    """Every capture request the browser sent, with the event ids it carried."""

    def __init__(self) -> None:
        self.event_ids: list[str] = []

    def on_request(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/events"):
            body: dict[str, Any] = request.post_data_json or {}
            self.event_ids.extend(e["event_id"] for e in body.get("events", []))

    def count(self, event_id: str) -> int:
        return self.event_ids.count(event_id)


def _stored_events(server: LiveServer) -> int:
    counts: dict[str, int] = httpx.get(f"{server.base}/healthz", timeout=30).json()["counts"]
    return counts["events"]


def _stored_with_id(server: LiveServer, code: str, event_id: str) -> list[dict[str, Any]]:
    return [e for e in server.history(code)["events"] if e["event"]["event_id"] == event_id]


def _record_receive(page: Page) -> str:
    page.click("#act-receive")
    expect(page.locator("#sheet")).to_be_visible()
    page.click("#sheet-submit")
    expect(page.locator("#sheet")).to_be_hidden()
    entry = page.locator("#queue-list li[data-event-id]").last
    event_id = entry.get_attribute("data-event-id")
    assert event_id and re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", event_id
    )
    return event_id


def test_an_event_recorded_offline_is_queued_visibly_and_synced_exactly_once(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv()
    posts = Posts()
    context.on("request", posts.on_request)
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    wait_for_service_worker(page)
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "maker")
    before = _stored_events(live_server)

    context.set_offline(True)
    expect(page.locator("#net")).to_have_text("Offline")
    event_id = _record_receive(page)
    queued = page.locator(f"#queue-list li[data-event-id='{event_id}']")
    expect(queued).to_have_attribute("data-state", "pending")
    expect(page.locator("#queue-count")).to_have_text("1")
    assert posts.count(event_id) == 0
    assert _stored_with_id(live_server, tv, event_id) == []

    # Still offline, the page reloads from the service worker's cache and the queue is still there.
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(f"#queue-list li[data-event-id='{event_id}']")).to_have_attribute(
        "data-state", "pending"
    )
    expect(page.locator("#net")).to_have_text("Offline")
    assert posts.count(event_id) == 0

    context.set_offline(False)
    expect(page.locator(f"#sent-list li[data-event-id='{event_id}']")).to_have_attribute(
        "data-state", "created"
    )
    expect(page.locator("#queue-list li[data-event-id]")).to_have_count(0)
    expect(page.locator("#queue-count")).to_have_text("0")
    stored = _stored_with_id(live_server, tv, event_id)
    assert len(stored) == 1 and stored[0]["event"]["type"] == "receive"
    assert (
        stored[0]["event"]["party_id"] == "dismantler" and stored[0]["event"]["site_id"] == "site-dismantler"
    )
    assert _stored_events(live_server) == before + 1
    assert posts.count(event_id) == 1

    # Neither a reload nor another trip offline and back sends it again.
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    context.set_offline(True)
    expect(page.locator("#net")).to_have_text("Offline")
    context.set_offline(False)
    expect(page.locator("#net")).to_have_text("Online")
    page.click("#sync-now")
    page.wait_for_timeout(500)
    assert posts.count(event_id) == 1
    assert len(_stored_with_id(live_server, tv, event_id)) == 1
    assert _stored_events(live_server) == before + 1
    # The item page shows the new holder once the event is in.
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "dismantler")
    assert console.errors == [], console.errors


def test_an_answer_lost_after_the_server_committed_is_made_good_by_a_replay_not_a_duplicate(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv(holder="dismantler")
    posts = Posts()
    context.on("request", posts.on_request)
    lost: list[int] = []

    def lose_first_answer(route: Route) -> None:
        if not lost:
            answer = route.fetch()  # the server stores the event …
            lost.append(answer.status)
            route.abort("connectionreset")  # … and the phone never hears back
        else:
            route.continue_()

    context.route("**/api/v1/events", lose_first_answer)
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "dismantler")
    before = _stored_events(live_server)

    page.click("#act-weigh")
    page.fill("#f-mass", "29,5")  # a comma as the decimal separator, as many phones type it
    page.click("#sheet-submit")
    entry = page.locator("#sent-list li[data-event-id]").first
    # The retry comes by itself (backoff), carries the same id, and the server answers with a replay.
    expect(entry).to_have_attribute("data-state", "replayed", timeout=15_000)
    event_id = entry.get_attribute("data-event-id")
    assert event_id
    assert lost == [201]
    assert posts.count(event_id) == 2
    stored = _stored_with_id(live_server, tv, event_id)
    assert len(stored) == 1 and stored[0]["event"]["mass_kg"] == 29.5
    assert _stored_events(live_server) == before + 1
    # The aborted request is a network failure the browser reports on the console; nothing else may be.
    assert all("ERR_CONNECTION_RESET" in e or "Failed to load resource" in e for e in console.errors), (
        console.errors
    )


def test_an_event_the_server_refuses_stays_in_the_queue_with_the_reason_until_discarded(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv()
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    expect(page.locator("#item-status")).to_have_attribute("data-status", "active")
    page.click("#act-ship")
    page.click("#sheet-submit")
    expect(page.locator("#sheet-error")).to_have_text("Enter the receiving party.")
    page.fill("#f-to", "nobody-registered")
    page.click("#sheet-submit")
    refused = page.locator("#queue-list li[data-state='rejected']")
    expect(refused).to_have_count(1)
    # The dismantler does not hold the TV (the maker does): the server's reason, in the reader's language.
    expect(refused.locator(".error")).to_contain_text(re.compile("NOT_HOLDER|PARTY_NOT_FOUND"))
    expect(page.locator("#queue-count")).to_have_class(re.compile(r"\bbad\b"))
    event_id = refused.get_attribute("data-event-id")
    assert event_id and _stored_with_id(live_server, tv, event_id) == []

    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    refused = page.locator(f"#queue-list li[data-event-id='{event_id}']")
    expect(refused).to_have_attribute("data-state", "rejected")
    page.once("dialog", lambda dialog: dialog.accept())
    refused.get_by_role("button", name="Discard").click()
    expect(page.locator("#queue-list li[data-event-id]")).to_have_count(0)
    assert _stored_with_id(live_server, tv, event_id) == []
    # The browser logs the 4xx answer as a failed resource load; that is the only console error allowed here.
    assert all("Failed to load resource" in e for e in console.errors), console.errors


def test_events_queued_offline_are_sent_in_the_order_they_were_recorded(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    """Receive, weigh, dismantle recorded offline: each depends on the one before (only the holder weighs and
    dismantles), so they are stored only if they go out in order."""
    tv = live_server.new_tv()
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    expect(page.locator("#item-status")).to_have_attribute("data-status", "active")
    context.set_offline(True)
    expect(page.locator("#net")).to_have_text("Offline")
    receive_id = _record_receive(page)
    page.click("#act-weigh")
    page.fill("#f-mass", "31")
    page.click("#sheet-submit")
    page.click("#act-dismantle")
    page.locator("#material-chips [data-material='ferrous']").click()
    page.locator("#outputs input[data-mass]").fill("20")
    page.click("#sheet-submit")
    expect(page.locator("#queue-list li[data-state='pending']")).to_have_count(3)
    expect(page.locator("#queue-count")).to_have_text("3")
    queued = page.locator("#queue-list li[data-event-id]").evaluate_all(
        "items => items.map(li => li.dataset.eventId)"
    )
    assert queued[0] == receive_id and len(set(queued)) == 3

    context.set_offline(False)
    expect(page.locator("#queue-list li[data-event-id]")).to_have_count(0)
    stored = [e["event"] for e in live_server.history(tv)["events"]]
    assert [e["type"] for e in stored] == ["commission", "receive", "weigh", "disassemble"]
    assert [e["event_id"] for e in stored[1:]] == queued
    expect(page.locator("#item-status")).to_have_attribute("data-status", "dismantled")
    assert console.errors == [], console.errors
