"""https for ``trace serve`` and ``trace demo``, and ``trace tls-cert`` that makes a certificate for this machine.

The mobile scanner needs https on a phone (the camera, the service worker and ``crypto.randomUUID`` exist only in
a secure context), so serving it to the phones of a yard from a laptop takes a certificate naming the laptop's LAN
address.  ``trace tls-cert`` makes one; ``--tls-cert/--tls-key`` (``TRACE_TLS_CERT``/``TRACE_TLS_KEY``) serve with
it; the command prints the address to open on the phone.
"""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrace.cli.certificates import (
    VALIDITY,
    CertificateInfo,
    CertificateProblem,
    check_host,
    check_pair,
    default_hosts,
    describe,
    lan_ipv4_addresses,
    self_signed,
    write_pair,
)
from retrace.cli.common import EXIT_FAILURE, InvalidSettings, err, out, public_url, reported

if TYPE_CHECKING:
    from retrace.config import Settings

TlsCertOption = Annotated[
    Path | None,
    typer.Option(
        "--tls-cert",
        help="Serve https with this PEM certificate (default TRACE_TLS_CERT; make one with `trace tls-cert`) "
        "/ https 证书",
        show_default=False,
    ),
]
TlsKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--tls-key",
        help="The certificate's private key (default TRACE_TLS_KEY) / https 私钥",
        show_default=False,
    ),
]

_ADVICE = (
    "Give a certificate and its own key with --tls-cert and --tls-key (or TRACE_TLS_CERT and TRACE_TLS_KEY), "
    "or make a new pair: trace tls-cert --out trace-tls\n"
    "  请用 --tls-cert 与 --tls-key（或 TRACE_TLS_CERT 与 TRACE_TLS_KEY）指定证书及其私钥，或生成新的一对："
    "trace tls-cert --out trace-tls"
)
_WILDCARD_HOSTS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class Tls:
    """A checked certificate and key to serve with."""

    cert: Path
    key: Path
    info: CertificateInfo


def tls_from(settings: Settings, cert: Path | None, key: Path | None) -> Tls | None:
    """The certificate and key the options name, else the settings; ``None`` for plain http.

    Raises ``InvalidSettings`` when only one of them is given or they cannot be used together.
    """
    cert = cert or settings.tls_cert
    key = key or settings.tls_key
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        given, missing = ("certificate", "key") if key is None else ("key", "certificate")
        given_zh, missing_zh = ("证书", "私钥") if key is None else ("私钥", "证书")
        option, variable = ("--tls-key", "TRACE_TLS_KEY") if key is None else ("--tls-cert", "TRACE_TLS_CERT")
        raise InvalidSettings(
            [
                f"TLS: a {given} without its {missing}: give {option} (or set {variable})",
                f"TLS：只有{given_zh}没有{missing_zh}，请提供 {option}（或设置 {variable}）",
            ],
            _ADVICE,
        )
    try:
        info = check_pair(cert, key)
    except CertificateProblem as e:
        raise InvalidSettings([f"TLS: {e.message}", f"TLS：{e.message_zh}"], _ADVICE) from None
    return Tls(cert, key, info)


def print_scanner_links(host: str, port: int, tls: Tls | None) -> None:
    """Where to open the mobile scanner, and what will stop a phone from using it."""
    scheme = "https" if tls else "http"
    links, warnings = scanner_links(host, port, tls)
    if tls is not None:
        out.print(
            f"  TLS certificate / 证书: {tls.cert} (valid until / 有效期至 {tls.info.not_after:%Y-%m-%d}; "
            f"SHA-256 {tls.info.sha256})",
            markup=False,
        )
    label = "Scanner on a phone / 手机扫码页" if host in _WILDCARD_HOSTS else "Scanner / 扫码页"
    for link in links:
        out.print(f"  {label}: {link}", markup=False)
    for en, zh in warnings:
        out.print(f"  [yellow]! {en}[/yellow]")
        out.print(f"    {zh}", markup=False)
    if scheme == "https" and links and not _is_loopback(host):
        out.print(
            "  On a phone that does not trust the certificate yet, accept the warning once, or install it "
            "(docs/scanner.md) / 手机尚未信任证书时，请接受一次安全警告，或安装证书（见 docs/scanner.md）",
            markup=False,
        )


def scanner_links(host: str, port: int, tls: Tls | None) -> tuple[list[str], list[tuple[str, str]]]:
    """The scanner's addresses for a server listening on ``host``, and warnings (English, Chinese) about what will
    stop a phone from using them."""
    scheme = "https" if tls else "http"
    warnings: list[tuple[str, str]] = []
    if host in _WILDCARD_HOSTS:
        addresses = lan_ipv4_addresses()
        if tls is not None:
            for ip in [ip for ip in addresses if not tls.info.covers(ip)]:
                warnings.append(
                    (
                        f"the certificate does not name {ip}: a phone opening that address will refuse it; "
                        "make one that does: trace tls-cert --out DIR --force",
                        f"证书不包含 {ip}，手机访问该地址会被拒绝；请重新生成：trace tls-cert --out DIR --force",
                    )
                )
            addresses = [ip for ip in addresses if tls.info.covers(ip)]
        if not addresses:
            warnings.append(
                (
                    "no LAN address of this machine found to show here; open the scanner at this machine's address",
                    "未找到本机局域网地址；请用本机地址打开扫码页",
                )
            )
        links = [f"{public_url(ip, port, scheme)}/scan/" for ip in addresses]
    else:
        links = [f"{public_url(host, port, scheme)}/scan/"]
        if _is_loopback(host):
            if tls is None:  # the scanner on this machine's own browser: nothing stops it
                return links, warnings
            warnings.append(
                (
                    f"listening on {host} only: a phone cannot reach it; serve with --host 0.0.0.0 for the LAN",
                    f"仅监听 {host}，手机无法访问；局域网访问请使用 --host 0.0.0.0",
                )
            )
        elif tls is not None and not tls.info.covers(host):
            warnings.append(
                (
                    f"the certificate does not name {host}: browsers will refuse it; make one that does: "
                    f"trace tls-cert --out DIR --host {host}",
                    f"证书不包含 {host}，浏览器会拒绝；请重新生成：trace tls-cert --out DIR --host {host}",
                )
            )
    if tls is None:
        warnings.append(
            (
                "over plain http a phone's browser gives the scanner no camera and no offline start; serve with "
                "--tls-cert and --tls-key (trace tls-cert makes them)",
                "通过 http 访问时手机浏览器不允许扫码页使用摄像头，也无法离线启动；请使用 --tls-cert 与 --tls-key "
                "（可用 trace tls-cert 生成）",
            )
        )
    return links, warnings


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- trace tls-cert -----------------------------------------------------------------------------------------------

TLS_CERT_EXAMPLES = """
Examples / 示例:

  trace tls-cert --out trace-tls

  trace tls-cert --out trace-tls --host scanner.yard.example --host 192.168.8.20 --force
"""


def tls_cert(
    folder: Annotated[
        Path, typer.Option("--out", help="Folder for trace-cert.pem and trace-key.pem / 输出目录")
    ] = Path("trace-tls"),
    hosts: Annotated[
        list[str] | None,
        typer.Option(
            "--host",
            help="Another address or host name the certificate names, besides this machine's LAN addresses, "
            "host name, localhost and 127.0.0.1 (repeat it) / 证书另外包含的地址或主机名（可重复）",
            show_default=False,
        ),
    ] = None,
    days: Annotated[
        int, typer.Option(min=1, max=825, help="Days it stays valid (phones accept at most 825) / 有效天数")
    ] = VALIDITY.days,
    port: Annotated[
        int,
        typer.Option(min=1, max=65535, help="The port you will serve on, for the printed commands / 端口"),
    ] = 8443,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the files if they exist / 覆盖已有文件")
    ] = False,
) -> None:
    """Make a self-signed certificate for serving the scanner over https on the LAN / 生成自签名 https 证书。"""
    with reported("tls-cert", "生成证书"):
        from datetime import timedelta

        extra = []
        for text in hosts or []:
            try:
                extra.append(check_host(text))
            except ValueError as e:
                raise typer.BadParameter(f"{e} / 不是有效的地址或主机名", param_hint="--host") from None
        names = list(dict.fromkeys([*default_hosts(), *extra]))
        cert_pem, key_pem = self_signed(names, validity=timedelta(days=days))
        try:
            cert_path, key_path = write_pair(folder, cert_pem, key_pem, overwrite=force)
        except FileExistsError as e:
            err.print(f"[red]✗ tls-cert: {e} exists / 文件已存在[/red]")
            err.print(
                "  Phones may already trust it: keep it, or replace it with --force (and trust the new one).\n"
                "  手机可能已信任该证书：保留它，或加 --force 替换（并在手机上信任新证书）。",
                markup=False,
            )
            raise typer.Exit(EXIT_FAILURE) from None
        info = describe(cert_pem)
        out.print(f"[green]✓[/green] wrote / 已写入 {cert_path} (certificate / 证书)", markup=True)
        out.print(f"  and / 以及 {key_path} (private key, owner only / 私钥，仅所有者可读)", markup=False)
        out.print(f"  For / 适用于: {', '.join(info.names)}", markup=False)
        out.print(f"  Valid until / 有效期至: {info.not_after:%Y-%m-%d}", markup=False)
        out.print(f"  SHA-256 fingerprint / 指纹: {info.sha256}", markup=False)
        command = shlex.join(
            [
                "trace",
                "serve",
                "--host",
                "0.0.0.0",
                "--port",
                str(port),
                "--tls-cert",
                str(cert_path),
                "--tls-key",
                str(key_path),
            ]
        )
        out.print("  Serve the platform over https / 以 https 启动服务:", markup=False)
        out.print(f"    {command}", markup=False)
        for ip in [ip for ip in lan_ipv4_addresses() if info.covers(ip)]:
            out.print(f"  Then open on the phone / 然后在手机上打开: https://{ip}:{port}/scan/", markup=False)
        out.print(
            f"  To use the scanner offline and install it, trust {cert_path} on the phone (docs/scanner.md). "
            "Keep the key private.\n"
            "  如需离线使用并安装扫码页，请在手机上信任该证书（见 docs/scanner.md）。私钥请勿外传。",
            markup=False,
        )
