"""https for the scanner: `trace tls-cert` makes a certificate for this machine; a wrong certificate or key stops
`trace serve` and `trace demo` before they serve, with the file named, in English and Chinese, and exit code 2.

The real server over https is tested end to end in tests/e2e/test_serve_tls.py.
"""

from __future__ import annotations

import ipaddress
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from retrace.cli.certificates import (
    VALIDITY,
    CertificateProblem,
    check_host,
    check_pair,
    default_hosts,
    describe,
    lan_ipv4_addresses,
    self_signed,
    write_pair,
)
from retrace.cli.tls import Tls, scanner_links
from tests.cli.conftest import Invoke


def _pair(
    folder: Path, hosts: list[str], validity: timedelta = VALIDITY, now: datetime | None = None
) -> tuple[Path, Path]:
    cert_pem, key_pem = self_signed(hosts, validity=validity, now=now)
    return write_pair(folder, cert_pem, key_pem)


def _names(cert_path: Path) -> tuple[set[str], set[str]]:
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(alt.get_values_for_type(x509.DNSName)), {
        str(ip) for ip in alt.get_values_for_type(x509.IPAddress)
    }


# -- trace tls-cert -----------------------------------------------------------------------------------------------


def test_tls_cert_makes_a_year_long_certificate_for_this_machine_and_the_names_given(
    invoke: Invoke, tmp_path: Path
) -> None:
    result = invoke("tls-cert", "--out", "certs", "--host", "scanner.yard.example", "--host", "192.168.8.20")
    assert result.exit_code == 0, result.output
    cert_path, key_path = tmp_path / "certs" / "trace-cert.pem", tmp_path / "certs" / "trace-key.pem"
    dns, ips = _names(cert_path)
    assert {"localhost", "scanner.yard.example"} <= dns
    assert {"127.0.0.1", "192.168.8.20", *lan_ipv4_addresses()} <= ips
    assert not any(ipaddress.ip_address(ip).is_loopback for ip in ips - {"127.0.0.1"})

    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    lifetime = certificate.not_valid_after_utc - datetime.now(UTC)
    assert timedelta(days=364) < lifetime <= timedelta(days=365, minutes=1)
    assert certificate.issuer == certificate.subject  # self-signed …
    assert certificate.extensions.get_extension_for_class(
        x509.BasicConstraints
    ).value.ca  # … so phones can trust it
    info = check_pair(cert_path, key_path)  # the key is the certificate's
    assert (
        info.sha256 in result.output and "trace serve --host 0.0.0.0 --port 8443 --tls-cert" in result.output
    )
    if sys.platform != "win32":
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_tls_cert_keeps_existing_files_unless_forced(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("tls-cert", "--out", "certs").exit_code == 0
    first = (tmp_path / "certs" / "trace-cert.pem").read_bytes()

    again = invoke("tls-cert", "--out", "certs")
    assert again.exit_code == 1, again.output
    assert "exists / 文件已存在" in again.output and "--force" in again.output
    assert (tmp_path / "certs" / "trace-cert.pem").read_bytes() == first

    forced = invoke("tls-cert", "--out", "certs", "--force")
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "certs" / "trace-cert.pem").read_bytes() != first


def test_tls_cert_refuses_a_host_that_is_no_name_or_address(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("tls-cert", "--out", "certs", "--host", "https://192.168.1.20:8443")
    assert result.exit_code == 2, result.output
    assert "neither an IP address nor a host name" in result.output
    assert not (tmp_path / "certs").exists()


def test_the_default_names_are_the_lan_addresses_localhost_and_the_host_name() -> None:
    hosts = default_hosts()
    assert {"localhost", "127.0.0.1", *lan_ipv4_addresses()} <= set(hosts)
    assert len(hosts) == len(set(hosts))
    for host in hosts:
        assert check_host(host) == host


@pytest.mark.parametrize("text", ["", "a..b", "-a.example", "host:8443", "http://x", "a_b.example", "x" * 64])
def test_a_host_name_must_be_one_a_certificate_can_hold(text: str) -> None:
    with pytest.raises(ValueError, match="neither an IP address nor a host name"):
        check_host(text)


# -- checking a certificate and its key ---------------------------------------------------------------------------


def test_a_key_made_with_another_certificate_is_refused(tmp_path: Path) -> None:
    cert, _ = _pair(tmp_path / "a", ["localhost"])
    _, other_key = _pair(tmp_path / "b", ["localhost"])
    with pytest.raises(CertificateProblem) as caught:
        check_pair(cert, other_key)
    assert "does not belong to the certificate" in caught.value.message
    assert "不匹配" in caught.value.message_zh


def test_an_expired_or_future_certificate_is_refused(tmp_path: Path) -> None:
    old = datetime(2020, 1, 1, tzinfo=UTC)
    cert, key = _pair(tmp_path / "old", ["localhost"], validity=timedelta(days=30), now=old)
    with pytest.raises(CertificateProblem, match="expired on 2020-01-31") as caught:
        check_pair(cert, key)
    assert "过期" in caught.value.message_zh
    with pytest.raises(CertificateProblem, match="check this machine's clock"):
        check_pair(cert, key, now=old - timedelta(days=1))


def test_unreadable_and_malformed_files_are_named(tmp_path: Path) -> None:
    cert, key = _pair(tmp_path, ["localhost"])
    with pytest.raises(CertificateProblem, match=r"cannot read the certificate .*missing\.pem") as caught:
        check_pair(tmp_path / "missing.pem", key)
    assert "无法读取证书文件" in caught.value.message_zh
    with pytest.raises(CertificateProblem, match="holds no PEM certificate"):
        check_pair(key, key)
    with pytest.raises(CertificateProblem, match="holds no PEM private key"):
        check_pair(cert, cert)


def test_a_key_protected_by_a_password_is_refused(tmp_path: Path) -> None:
    cert, key = _pair(tmp_path, ["localhost"])
    loaded = serialization.load_pem_private_key(key.read_bytes(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    locked = tmp_path / "locked.pem"
    locked.write_bytes(
        loaded.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(CertificateProblem, match="protected by a password"):
        check_pair(cert, locked)


def test_a_certificate_covers_its_addresses_names_and_one_wildcard_level() -> None:
    info = describe(self_signed(["192.168.8.20", "scanner.yard.example", "*.trace.example"])[0])
    assert info.covers("192.168.8.20") and not info.covers("192.168.8.21")
    assert info.covers("SCANNER.yard.example.") and not info.covers("yard.example")
    assert (
        info.covers("a.trace.example")
        and not info.covers("a.b.trace.example")
        and not info.covers("trace.example")
    )


# -- where the scanner is opened ----------------------------------------------------------------------------------


def test_the_scanner_link_is_https_on_the_address_served_and_warns_when_the_certificate_does_not_name_it(
    tmp_path: Path,
) -> None:
    cert, key = _pair(tmp_path, ["192.168.8.20", "localhost"])
    tls = Tls(cert, key, check_pair(cert, key))
    assert scanner_links("192.168.8.20", 8443, tls) == (["https://192.168.8.20:8443/scan/"], [])

    links, warnings = scanner_links("10.1.2.3", 8443, tls)
    assert links == ["https://10.1.2.3:8443/scan/"]
    assert "does not name 10.1.2.3" in warnings[0][0] and "证书不包含 10.1.2.3" in warnings[0][1]

    _, warnings = scanner_links("127.0.0.1", 8443, tls)
    assert "a phone cannot reach it" in warnings[0][0]

    _, warnings = scanner_links("192.168.8.20", 8000, None)
    assert "no camera" in warnings[0][0]
    # Plain http on loopback: the scanner in this machine's own browser, which has every feature there.
    assert scanner_links("127.0.0.1", 8000, None) == (["http://127.0.0.1:8000/scan/"], [])


def test_on_all_interfaces_the_links_are_the_lan_addresses_the_certificate_names(tmp_path: Path) -> None:
    lan = lan_ipv4_addresses()
    if not lan:
        pytest.skip("this machine has no LAN address")
    cert, key = _pair(tmp_path, [lan[0]])
    links, warnings = scanner_links("0.0.0.0", 8443, Tls(cert, key, check_pair(cert, key)))
    assert links == [f"https://{lan[0]}:8443/scan/"]
    assert all(f"does not name {ip}" in en for ip, (en, _) in zip(lan[1:], warnings, strict=True))


# -- serve and demo refuse a pair they cannot use -----------------------------------------------------------------


def test_serve_refuses_a_mismatched_key_before_serving(invoke: Invoke, tmp_path: Path) -> None:
    cert, _ = _pair(tmp_path / "a", ["localhost"])
    _, other_key = _pair(tmp_path / "b", ["localhost"])
    result = invoke("serve", "--port", "1", "--tls-cert", str(cert), "--tls-key", str(other_key))
    assert result.exit_code == 2, result.output
    assert "does not belong to the certificate" in result.output and "不匹配" in result.output
    assert "trace tls-cert --out" in result.output
    assert isinstance(result.exception, SystemExit)  # an exit code, not an exception


def test_the_environment_names_the_certificate_and_key_and_one_alone_is_refused(
    invoke: Invoke, tmp_path: Path
) -> None:
    cert, key = _pair(tmp_path, ["localhost"])
    alone = invoke("serve", env={"TRACE_TLS_CERT": str(cert)})
    assert alone.exit_code == 2, alone.output
    assert "a certificate without its key: give --tls-key (or set TRACE_TLS_KEY)" in alone.output
    assert "只有证书没有私钥" in alone.output

    swapped = invoke("serve", env={"TRACE_TLS_CERT": str(key), "TRACE_TLS_KEY": str(cert)})
    assert swapped.exit_code == 2, swapped.output
    assert "holds no PEM certificate" in swapped.output


def test_demo_refuses_a_missing_key_before_loading_anything(invoke: Invoke, tmp_path: Path) -> None:
    cert, _ = _pair(tmp_path, ["localhost"])
    result = invoke(
        "demo", "--data-dir", "demo", "--tls-cert", str(cert), "--tls-key", str(tmp_path / "nope.pem")
    )
    assert result.exit_code == 2, result.output
    assert "cannot read the private key" in result.output and "无法读取私钥文件" in result.output
    assert not (tmp_path / "demo" / "trace.db").exists()
