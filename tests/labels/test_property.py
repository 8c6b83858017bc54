"""Property: any commissioned GS1 item's label round-trips, from the capture to the printed QR code and back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrace.adapters.labels import QrLabelRenderer
from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.app.capture import CaptureEvents
from retrace.app.labels import LabelFormat, PrintLabels
from retrace.config import Settings
from retrace.domain.events import Commission, NewItem
from retrace.domain.links import path_segment
from tests.labels.support import RESOLVER, decode_png, label_registration
from tests.labels.test_links import CSET82, gtin14
from tests.world import NOW, at

# GS1 company prefixes start with a non-zero digit after the indicator; any 13 digits make a valid GTIN-14 body.
bodies = st.text("0123456789", min_size=13, max_size=13)
serials = st.text(CSET82, min_size=1, max_size=20)
given_as = st.sampled_from(["digital_link", "digital_link_gtin13"])


def test_any_commissioned_gs1_item_label_decodes_to_its_link_and_resolves_to_it(tmp_path: Path) -> None:
    with asyncio.Runner() as runner:
        store = runner.run(SqliteStore.open(tmp_path / "trace.db"))
        app = create_app(Settings(sqlite_path=tmp_path / "trace.db", resolver_base=RESOLVER), store=store)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=RESOLVER)
        labels = PrintLabels(store, QrLabelRenderer(), RESOLVER)
        capture = CaptureEvents(store, clock=lambda: NOW)
        from retrace.app.registry import RegisterMasterData

        runner.run(RegisterMasterData(store).execute(label_registration()))
        seen: set[tuple[str, str]] = set()

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(body=bodies, serial=serials, form=given_as)
        def round_trip(body: str, serial: str, form: str) -> None:
            gtin = gtin14(body)
            if (gtin, serial) in seen:  # a key can be commissioned once; the property is about new ones
                return
            seen.add((gtin, serial))
            shown_gtin = gtin[1:] if form == "digital_link_gtin13" and gtin.startswith("0") else gtin
            identifier = f"https://id.gs1.org/01/{shown_gtin}/21/{quote(serial, safe='')}"
            event = Commission(
                f"c-{len(seen)}",
                at(len(seen) / 60),
                "site-tv-maker",
                "tv-maker",
                items=(NewItem((identifier,), "tv"),),
            )
            outcome = runner.run(capture.execute([event]))
            (created,) = outcome.outcomes[0].created_ids
            (content,) = runner.run(labels.for_identifiers([identifier]))
            expected = f"{RESOLVER}/01/{gtin}/21/{path_segment(serial)}"
            assert content.link.uri == expected
            (code,) = decode_png(labels.single(content, LabelFormat.PNG))
            assert code.text == expected
            response = runner.run(client.get(code.text, headers={"accept": "application/json"}))
            assert response.status_code == 200, response.text
            assert response.json()["item"]["id"] == created

        try:
            round_trip()
        finally:
            runner.run(client.aclose())
            runner.run(store.close())
