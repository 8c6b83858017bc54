"""The scanner over https, as docs/scanner.md sets it up: `trace tls-cert` makes a certificate, a real
`trace serve --workers 2` serves with it, and a client that trusts only that certificate reaches /healthz and the
scanner (/scan/); plain http and clients that do not trust it are refused; a mismatched key stops the command with
exit code 2 before anything listens.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _trace(*args: str) -> list[str]:
    return [sys.executable, "-m", "retrace.cli", *args]


def _env(folder: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_")}
    return {**clean, "TRACE_SQLITE_PATH": str(folder / "trace.db"), "COLUMNS": "200"}


@dataclass(frozen=True)
class Served:
    base: str
    cert: Path
    trusted: ssl.SSLContext  # trusts the generated certificate and nothing else
    log: Path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tls")
    made = subprocess.run(
        _trace("tls-cert", "--out", str(folder / "certs")),
        env=_env(folder),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "trace serve --host 0.0.0.0 --port 8443 --tls-cert" in made.stdout
    return folder / "certs"


@pytest.fixture(scope="module")
def served(certificate: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    cert, key = certificate / "trace-cert.pem", certificate / "trace-key.pem"
    command = _trace(
        "serve", "--port", str(port), "--workers", "2", "--tls-cert", str(cert), "--tls-key", str(key)
    )
    log = folder / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, env=_env(folder), stdout=sink, stderr=subprocess.STDOUT, text=True
        )
    trusted = ssl.create_default_context(cafile=str(cert))
    base = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", verify=trusted, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"trace serve did not come up over https:\n{log.read_text()}")
            time.sleep(0.2)
        yield Served(base, cert, trusted, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_health_and_the_scanner_answer_over_https_to_a_client_trusting_the_certificate(
    served: Served,
) -> None:
    health = httpx.get(f"{served.base}/healthz", verify=served.trusted, timeout=30)
    assert health.status_code == 200 and health.json()["status"] == "ok"

    page = httpx.get(f"{served.base}/scan/", verify=served.trusted, timeout=30)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "manifest.webmanifest" in page.text
    # The same certificate names localhost too, as a browser on this machine would open it.
    port = served.base.rsplit(":", 1)[1]
    assert httpx.get(f"https://localhost:{port}/scan/", verify=served.trusted, timeout=30).status_code == 200


def test_the_command_prints_the_https_address_of_the_scanner(served: Served) -> None:
    text = served.log.read_text()
    assert f"Serving / 服务地址: {served.base}" in text
    assert f"{served.base}/scan/" in text and "SHA-256" in text


def test_plain_http_is_refused(served: Served) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(served.base.replace("https://", "http://") + "/healthz", timeout=30)


def test_a_client_that_does_not_trust_the_certificate_is_refused(served: Served) -> None:
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{served.base}/healthz", timeout=30)  # the system's trust store only


def test_a_mismatched_key_stops_serve_with_exit_code_2_before_anything_listens(
    certificate: Path, tmp_path: Path
) -> None:
    other = subprocess.run(
        _trace("tls-cert", "--out", str(tmp_path / "other")),
        env=_env(tmp_path),
        capture_output=True,
        timeout=60,
    )
    assert other.returncode == 0
    port = _free_port()
    env = {
        **_env(tmp_path),
        "TRACE_TLS_CERT": str(certificate / "trace-cert.pem"),
        "TRACE_TLS_KEY": str(tmp_path / "other" / "trace-key.pem"),
    }
    failed = subprocess.run(
        _trace("serve", "--port", str(port)), env=env, capture_output=True, text=True, timeout=60
    )
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "does not belong to the certificate" in failed.stderr and "不匹配" in failed.stderr
    assert "Traceback" not in failed.stderr and "Serving" not in failed.stdout
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
