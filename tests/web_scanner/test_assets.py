"""The scanner's files as the app serves them: the right types and headers, a service worker that caches every
file the page needs, a version that follows the files, nothing outside the folder, and the QR decoder served from
the npm package that package-lock.json pins (or, where it was never installed, a 404 that says what to run)."""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from retrace.api.app import create_app
from retrace.api.routers.scanner import CONTENT_SECURITY_POLICY, DECODER, WEB_ROOT, load_shell, shell
from retrace.config import Settings

REPOSITORY = Path(__file__).resolve().parents[2]
# Where scripts/bootstrap's `npm ci` puts jsQR, and so where the scanner serves it from by default.
INSTALLED_DECODER = REPOSITORY / "node_modules" / "jsqr" / "dist" / "jsQR.js"


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(create_app(Settings(store="sqlite", sqlite_path=tmp_path / "trace.db"))) as c:
        yield c


async def test_the_page_is_at_scan_slash_and_scan_redirects_there_with_its_query(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/scan/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<title>Trace scanner · 追溯扫码</title>" in page.text
    moved = await client.get("/scan?party=collector&site=site-collector")
    assert moved.status_code == 307
    assert moved.headers["location"] == "/scan/?party=collector&site=site-collector"


async def test_files_have_their_types_and_revalidate_by_etag(client: httpx.AsyncClient) -> None:
    types = {
        "app.js": "text/javascript; charset=utf-8",
        "app.css": "text/css; charset=utf-8",
        "manifest.webmanifest": "application/manifest+json",
        "icons/icon-192.png": "image/png",
        "icons/icon.svg": "image/svg+xml",
        DECODER: "text/javascript; charset=utf-8",
    }
    for path, media_type in types.items():
        answer = await client.get(f"/scan/{path}")
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == media_type, path
        assert answer.headers["cache-control"] == "no-cache"
        again = await client.get(f"/scan/{path}", headers={"if-none-match": answer.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", path


async def test_unknown_files_and_paths_out_of_the_folder_are_404_with_the_error_body(
    client: httpx.AsyncClient,
) -> None:
    for path in (
        "/scan/nothing.js",
        "/scan/%2e%2e/routers/scanner.py",
        "/scan/..%2F..%2Fapp.py",
        "/scan/sw.js.bak",
    ):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["error"]["code"] == "NOT_FOUND"


async def test_the_service_worker_caches_every_file_the_page_loads(client: httpx.AsyncClient) -> None:
    answer = await client.get("/scan/sw.js")
    assert answer.headers["service-worker-allowed"] == "/scan/"
    assert answer.headers["cache-control"] == "no-cache"
    source = answer.text
    assert "__VERSION__" not in source and "__SHELL__" not in source
    assert f'const VERSION = "{shell(INSTALLED_DECODER).version}";' in source
    listed = json.loads(re.search(r"const SHELL = (\[.*?\]);", source).group(1))  # type: ignore[union-attr]
    # What the page, its modules, its worker and its manifest refer to, found in the files themselves.
    needed = {"./"}
    html = (WEB_ROOT / "index.html").read_text()
    needed |= set(re.findall(r'(?:src|href)="([^"#:]+)"', html))
    for script in WEB_ROOT.glob("*.js"):
        text = script.read_text()
        needed |= {p.removeprefix("./") for p in re.findall(r'(?:from|import) "(\./[^"]+)"', text)}
        needed |= set(re.findall(r'importScripts\("([^"]+)"\)', text))
        needed |= set(re.findall(r'new Worker\("([^"]+)"\)', text))
    manifest = json.loads((WEB_ROOT / "manifest.webmanifest").read_text())
    needed |= {icon["src"] for icon in manifest["icons"]}
    assert "decoder-worker.js" in needed and DECODER in needed and "i18n.js" in needed
    assert "outbox.js" in needed and "picker.js" in needed  # imported for its effect; loaded by the worker
    assert needed <= set(listed), needed - set(listed)
    for path in listed:
        assert (await client.get(f"/scan/{path.removeprefix('./')}")).status_code == 200, path


def test_the_shell_version_follows_the_files_and_the_decoder(tmp_path: Path) -> None:
    copy = tmp_path / "scanner"
    shutil.copytree(WEB_ROOT, copy)
    decoder = tmp_path / "jsQR.js"
    decoder.write_bytes(INSTALLED_DECODER.read_bytes())
    first = load_shell(copy, decoder)
    assert load_shell(copy, decoder).version == first.version  # stable while nothing changes
    (copy / "app.css").write_text((copy / "app.css").read_text() + "\n/* changed */\n")
    second = load_shell(copy, decoder)
    assert second.version != first.version
    assert second.version in second.assets["sw.js"].body.decode()
    (copy / ".app.js.swp").write_bytes(b"editor noise")
    (copy / "notes.txt").write_text("not part of the app")
    third = load_shell(copy, decoder)
    assert (
        third.version == second.version
        and ".app.js.swp" not in third.assets
        and "notes.txt" not in third.assets
    )
    # Another jsQR build (an upgrade through package-lock.json) is a new shell, so phones fetch it.
    decoder.write_bytes(decoder.read_bytes() + b"\n")
    assert load_shell(copy, decoder).version != third.version


async def test_the_decoder_is_served_from_the_npm_package_at_the_version_the_lock_pins(
    client: httpx.AsyncClient,
) -> None:
    declared = json.loads((REPOSITORY / "package.json").read_text())
    locked = json.loads((REPOSITORY / "package-lock.json").read_text())["packages"]["node_modules/jsqr"]
    assert declared["dependencies"]["jsqr"] == locked["version"] == "1.4.0"  # pinned exactly, no range
    assert declared["license"] == locked["license"] == "Apache-2.0"  # jsQR's licence is the project's
    assert not (WEB_ROOT / "vendor").exists()  # no copy of it in the repository
    assert Settings.model_fields["scanner_decoder_js"].default == INSTALLED_DECODER
    assert INSTALLED_DECODER.is_file(), "jsQR is not installed: run scripts/bootstrap (npm ci)"
    installed = json.loads((INSTALLED_DECODER.parents[1] / "package.json").read_text())
    assert (installed["name"], installed["version"]) == ("jsqr", locked["version"])
    answer = await client.get(f"/scan/{DECODER}")
    assert answer.status_code == 200
    assert answer.content == INSTALLED_DECODER.read_bytes()


async def test_without_the_decoder_its_url_says_to_run_bootstrap_and_the_rest_still_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "node_modules" / "jsqr" / "dist" / "jsQR.js"
    app = create_app(Settings(store="sqlite", sqlite_path=tmp_path / "trace.db", scanner_decoder_js=missing))
    with caplog.at_level(logging.WARNING, logger="retrace.api.routers.scanner"):
        async with app.router.lifespan_context(app):  # the server's start, as uvicorn runs it
            pass
    warnings = [r.getMessage() for r in caplog.records if r.name == "retrace.api.routers.scanner"]
    assert len(warnings) == 1 and str(missing) in warnings[0] and "scripts/bootstrap" in warnings[0], warnings
    async with _client(app) as client:
        answer = await client.get(f"/scan/{DECODER}")
        assert answer.status_code == 404
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        error = answer.json()["error"]
        assert error["code"] == "NOT_FOUND"
        assert "jsQR" in error["message"] and "scripts/bootstrap" in error["message"]
        assert "npm ci" in error["message"] and "scripts/bootstrap" in error["message_zh"]
        assert str(tmp_path) not in answer.text  # the server's folders stay on the server
        # The page and its worker are there; the service worker does not try to cache what is not there (one
        # missing file would fail its whole install, and with it the offline scanner).
        assert (await client.get("/scan/")).status_code == 200
        assert (await client.get("/scan/decoder-worker.js")).status_code == 200
        worker = (await client.get("/scan/sw.js")).text
        listed = json.loads(re.search(r"const SHELL = (\[.*?\]);", worker).group(1))  # type: ignore[union-attr]
        assert "decoder-worker.js" in listed and DECODER not in listed


def test_the_apps_own_files_name_no_other_host() -> None:
    """The page loads nothing from a CDN: no http(s) URL in the app's own files (the CSP enforces it in the browser;
    this says which file broke it)."""
    for path in WEB_ROOT.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".css", ".webmanifest"}:
            text = path.read_text()
            assert re.findall(r"https?://", text) == [], path
            assert "@import" not in text and "cdn" not in text.lower(), path


async def test_the_scanner_is_not_part_of_the_api_description(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/scan")]
