"""TLS certificates for serving the platform on the LAN: make a self-signed one, check a certificate and its key.

A phone gives the mobile scanner (``/scan/``) its camera only over https (or on ``localhost`` of the phone itself),
so a yard that serves the platform from a laptop needs a certificate that names the laptop's LAN addresses.
``self_signed`` makes one with the ``cryptography`` package: an ECDSA P-256 key, a year's validity, the names and
addresses given in its subjectAltName, marked as its own authority (``CA:TRUE``, like ``openssl req -x509``) so
that Android and iOS let a person install it as a trusted certificate.

``check_pair`` is what ``trace serve`` runs before uvicorn does the same, so a wrong file fails at once with a
message that names it, in English and Chinese, instead of a traceback in a worker's log.

``cryptography`` is imported inside the functions: commands that do not serve over https do not pay for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import re
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

CERT_FILE = "trace-cert.pem"
KEY_FILE = "trace-key.pem"
VALIDITY = timedelta(days=365)
# A certificate dated from "now" is refused by a phone whose clock runs a little behind the laptop's.
_BACKDATE = timedelta(minutes=10)
_DNS_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


class CertificateProblem(Exception):
    """A certificate or key that cannot be used: ``message`` in English, ``message_zh`` in Chinese."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True)
class CertificateInfo:
    """What a person checks about a certificate: the names it is valid for, until when, and its fingerprint."""

    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    not_after: datetime
    sha256: str  # colon-separated hex, as phones and browsers show it

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.ip_addresses, *self.dns_names)

    def covers(self, host: str) -> bool:
        """Whether a browser opening ``https://{host}/`` accepts this certificate's names (one wildcard level)."""
        try:
            return ipaddress.ip_address(host) in {ipaddress.ip_address(ip) for ip in self.ip_addresses}
        except ValueError:
            pass
        host = host.lower().rstrip(".")
        for name in self.dns_names:
            name = name.lower()
            if name == host:
                return True
            if name.startswith("*.") and host.partition(".")[2] == name[2:] and host.partition(".")[0]:
                return True
        return False


# -- addresses of this machine -------------------------------------------------------------------------------------


def lan_ipv4_addresses() -> list[str]:
    """This machine's IPv4 addresses that another device can reach: no loopback, no link-local, sorted."""
    found: set[str] = set()
    with contextlib.suppress(OSError):
        for *_, address in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(address[0]))
    found |= _linux_interface_addresses()
    found |= _routed_address()
    usable = []
    for text in found:
        ip = ipaddress.IPv4Address(text)
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast):
            usable.append(ip)
    return [str(ip) for ip in sorted(usable)]


def _linux_interface_addresses() -> set[str]:
    """The IPv4 address of each network interface (Linux ``SIOCGIFADDR``; elsewhere nothing)."""
    try:
        import fcntl
        import struct
    except ImportError:  # Windows
        return set()
    siocgifaddr = 0x8915
    found: set[str] = set()
    try:
        interfaces = socket.if_nameindex()
    except OSError:
        return found
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in interfaces:
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(probe.fileno(), siocgifaddr, request)
            except OSError:  # no IPv4 address on this interface, or not Linux
                continue
            found.add(socket.inet_ntoa(answer[20:24]))
    return found


def _routed_address() -> set[str]:
    """The address the default route leaves from (macOS, Windows). Connecting a UDP socket sends nothing: it only
    asks the routing table which interface would be used."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            return {str(probe.getsockname()[0])}
        except OSError:  # no route: an offline machine
            return set()


def default_hosts() -> list[str]:
    """What a certificate made on this machine names unless told otherwise: its LAN addresses, ``localhost``,
    ``127.0.0.1``, its host name and, for a single-label name, ``<name>.local`` (mDNS, as phones resolve it)."""
    hosts = [*lan_ipv4_addresses(), "localhost", "127.0.0.1"]
    name = socket.gethostname().strip().lower()
    if name and check_host(name) == name and name != "localhost":
        hosts.append(name)
        if "." not in name:
            hosts.append(f"{name}.local")
    return _unique(hosts)


def check_host(text: str) -> str:
    """An IP address or a DNS name (``*.`` allowed as the first label), as a certificate names it; else
    ``ValueError`` saying what is wrong."""
    text = text.strip()
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(text))
    name = text.lower().rstrip(".")
    labels = name.split(".")
    if labels and labels[0] == "*":
        labels = labels[1:]
    if not name or len(name) > 253 or not labels or not all(_DNS_LABEL.fullmatch(label) for label in labels):
        raise ValueError(
            f"{text!r} is neither an IP address nor a host name (letters, digits, '-' and '.'; no scheme or port)"
        )
    return name


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# -- making a certificate ------------------------------------------------------------------------------------------


def self_signed(
    hosts: Sequence[str], *, validity: timedelta = VALIDITY, now: datetime | None = None
) -> tuple[bytes, bytes]:
    """A self-signed certificate for ``hosts`` (IP addresses and DNS names) and its private key, both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    if not hosts:
        raise ValueError("a certificate needs at least one host name or address")
    names: list[x509.GeneralName] = []
    for host in _unique(check_host(h) for h in hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    start = (now or datetime.now(UTC)) - _BACKDATE
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    who = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"trace scanner {hosts[0]}"[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trace (self-signed)"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(who)
        .issuer_name(who)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + _BACKDATE + validity)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        # Its own authority, so that phones offer to trust it; it signs nothing else (path length 0).
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        # Both key identifiers: OpenSSL's strict verification (Python 3.13's default) wants them.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def write_pair(
    folder: Path, cert_pem: bytes, key_pem: bytes, *, overwrite: bool = False
) -> tuple[Path, Path]:
    """Write ``trace-cert.pem`` and ``trace-key.pem`` into ``folder``; the key readable by its owner only (0600).

    Refuses (``FileExistsError``) to replace existing files unless ``overwrite``: a phone may trust the old one.
    """
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    if not overwrite:
        for path in (cert_path, key_path):
            if path.exists():
                raise FileExistsError(path)
    folder.mkdir(parents=True, exist_ok=True)
    if key_path.exists():
        key_path.chmod(0o600)  # before the new key goes in, not after
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as sink:
        sink.write(key_pem)
    cert_path.write_bytes(cert_pem)
    return cert_path, key_path


# -- checking a certificate and its key ----------------------------------------------------------------------------


def check_pair(cert_path: Path, key_path: Path, *, now: datetime | None = None) -> CertificateInfo:
    """Check that the server can use this certificate with this key, as uvicorn will load them.

    Raises ``CertificateProblem`` when a file cannot be read, is no PEM certificate or key, the key is protected
    by a password (a server started unattended cannot ask for it), the key is not the certificate's, or the
    certificate is not valid now.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert_data = _read(cert_path, "certificate", "证书")
    key_data = _read(key_path, "private key", "私钥")
    try:
        certificate = x509.load_pem_x509_certificates(cert_data)[0]
    except ValueError:
        raise CertificateProblem(
            f"{cert_path} holds no PEM certificate (a file starting with -----BEGIN CERTIFICATE-----)",
            f"{cert_path} 不是 PEM 格式的证书（应以 -----BEGIN CERTIFICATE----- 开头）",
        ) from None
    try:
        key = serialization.load_pem_private_key(key_data, password=None)
    except TypeError:
        raise CertificateProblem(
            f"{key_path} is protected by a password, which a server cannot ask for; use an unencrypted key "
            "(`openssl pkey -in KEY -out NEW-KEY` removes the password)",
            f"{key_path} 有密码保护，服务无法输入密码；请使用未加密的私钥",
        ) from None
    except (ValueError, NotImplementedError):  # not a key, or a kind OpenSSL here cannot read
        raise CertificateProblem(
            f"{key_path} holds no PEM private key (a file starting with -----BEGIN PRIVATE KEY-----)",
            f"{key_path} 不是 PEM 格式的私钥（应以 -----BEGIN PRIVATE KEY----- 开头）",
        ) from None
    spki = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != certificate.public_key().public_bytes(*spki):
        raise CertificateProblem(
            f"the private key {key_path} does not belong to the certificate {cert_path}: give the key made "
            "with this certificate",
            f"私钥 {key_path} 与证书 {cert_path} 不匹配：请使用与该证书一同生成的私钥",
        )
    moment = now or datetime.now(UTC)
    if certificate.not_valid_after_utc <= moment:
        day = certificate.not_valid_after_utc.date()
        raise CertificateProblem(
            f"the certificate {cert_path} expired on {day}", f"证书 {cert_path} 已于 {day} 过期"
        )
    if certificate.not_valid_before_utc > moment:
        day = certificate.not_valid_before_utc.date()
        raise CertificateProblem(
            f"the certificate {cert_path} is valid only from {day}: check this machine's clock",
            f"证书 {cert_path} 自 {day} 起才生效：请检查本机时钟",
        )
    try:  # what uvicorn will do: anything OpenSSL still refuses is reported here, not in a worker
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert_path, key_path)
    except ssl.SSLError as e:
        raise CertificateProblem(
            f"OpenSSL cannot use {cert_path} with {key_path}: {e.reason or e}",
            f"OpenSSL 无法使用证书 {cert_path} 与私钥 {key_path}：{e.reason or e}",
        ) from None
    return _info(certificate)


def describe(cert_pem: bytes) -> CertificateInfo:
    """The names, expiry and fingerprint of the first certificate in ``cert_pem``."""
    from cryptography import x509

    return _info(x509.load_pem_x509_certificates(cert_pem)[0])


def _info(certificate: Certificate) -> CertificateInfo:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(alt.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in alt.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:  # browsers ignore the common name: such a certificate names nothing
        dns, ips = (), ()
    digest = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return CertificateInfo(
        dns_names=dns,
        ip_addresses=ips,
        not_after=certificate.not_valid_after_utc,
        sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
    )


def _read(path: Path, what: str, what_zh: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise CertificateProblem(
            f"cannot read the {what} {path}: {reason}", f"无法读取{what_zh}文件 {path}：{reason}"
        ) from None
