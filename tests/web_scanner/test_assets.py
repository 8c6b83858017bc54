"""The scanner's files as the app serves them: the right types and headers, a service worker that caches every
file the page needs, a version that follows the files, nothing outside the folder, and the vendored decoder as
published with its licence."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from retrace.api.app import create_app
from retrace.api.routers.scanner import CONTENT_SECURITY_POLICY, WEB_ROOT, load_shell, shell
from retrace.config import Settings


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(store="sqlite", sqlite_path=tmp_path / "trace.db"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test") as c:
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
        "vendor/jsqr/jsQR.js": "text/javascript; charset=utf-8",
        "vendor/jsqr/LICENSE": "text/plain; charset=utf-8",
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
    assert f'const VERSION = "{shell().version}";' in source
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
    assert "decoder-worker.js" in needed and "vendor/jsqr/jsQR.js" in needed and "i18n.js" in needed
    assert "outbox.js" in needed and "picker.js" in needed  # imported for its effect; loaded by the worker
    assert needed <= set(listed), needed - set(listed)
    for path in listed:
        assert (await client.get(f"/scan/{path.removeprefix('./')}")).status_code == 200, path


def test_the_shell_version_follows_the_files(tmp_path: Path) -> None:
    copy = tmp_path / "scanner"
    shutil.copytree(WEB_ROOT, copy)
    first = load_shell(copy)
    assert load_shell(copy).version == first.version  # stable while nothing changes
    (copy / "app.css").write_text((copy / "app.css").read_text() + "\n/* changed */\n")
    second = load_shell(copy)
    assert second.version != first.version
    assert second.version in second.assets["sw.js"].body.decode()
    (copy / ".app.js.swp").write_bytes(b"editor noise")
    (copy / "notes.txt").write_text("not part of the app")
    third = load_shell(copy)
    assert (
        third.version == second.version
        and ".app.js.swp" not in third.assets
        and "notes.txt" not in third.assets
    )


def test_the_vendored_decoder_is_jsqr_as_published_under_apache_2() -> None:
    vendor = WEB_ROOT / "vendor" / "jsqr"
    digest = hashlib.sha256((vendor / "jsQR.js").read_bytes()).hexdigest()
    assert f"`{digest}`" in (vendor / "README.md").read_text()
    licence = (vendor / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    project = Path(__file__).resolve().parents[2] / "pyproject.toml"
    assert 'license = "Apache-2.0"' in project.read_text()


def test_the_apps_own_files_name_no_other_host() -> None:
    """The page loads nothing from a CDN: no http(s) URL in the app's own files (the CSP enforces it in the browser;
    this says which file broke it)."""
    for path in WEB_ROOT.rglob("*"):
        if (
            path.is_file()
            and path.suffix in {".html", ".js", ".css", ".webmanifest"}
            and "vendor" not in path.parts
        ):
            text = path.read_text()
            assert re.findall(r"https?://", text) == [], path
            assert "@import" not in text and "cdn" not in text.lower(), path


async def test_the_scanner_is_not_part_of_the_api_description(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/scan")]
