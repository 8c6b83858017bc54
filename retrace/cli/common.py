"""What every command shares: consoles, settings, and turning failures into a message and an exit code.

A command never ends in a traceback: each failure says what failed and what to do, in English and Chinese, and
exits non-zero (1 for a failure, 2 for bad settings, 130 when interrupted).
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from retrace.domain.errors import TraceError

if TYPE_CHECKING:  # pydantic and its settings load only in commands that read the settings (fast start-up)
    from pydantic import ValidationError

    from retrace.config import Settings

# URLs and commands must stay on one line to be copied; no emoji codes either (a fingerprint's ":CD:" is not 💿).
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

EXIT_FAILURE = 1
EXIT_SETTINGS = 2
EXIT_INTERRUPTED = 130


class InvalidSettings(Exception):
    """Settings (``TRACE_*`` variables or command-line options) a command cannot work with.

    Each problem is one line naming the setting; ``advice`` says what to do.  The command exits with
    ``EXIT_SETTINGS``.
    """

    def __init__(self, problems: Sequence[str], advice: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        self.advice = advice


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (``TRACE_*``), with ``overrides`` from the command line on top.

    Raises ``InvalidSettings`` naming each variable that is wrong.
    """
    from pydantic import ValidationError

    from retrace.config import Settings

    try:
        return Settings(**overrides)
    except ValidationError as e:
        raise InvalidSettings(
            _settings_problems(e), "Fix the environment variables above (TRACE_*). / 请修正上述环境变量。"
        ) from None


def _settings_problems(error: ValidationError) -> list[str]:
    problems = []
    for entry in error.errors():
        message = str(entry.get("msg", "invalid value")).removeprefix("Value error, ")
        loc = entry.get("loc", ())
        where = "TRACE_" + str(loc[0]).upper() if loc else ""
        problems.append(f"{where}: {message}" if where else message)
    return problems


@contextmanager
def reported(what: str, what_zh: str) -> Iterator[None]:
    """Run a command's work; turn any failure into a short message on stderr and a non-zero exit."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):  # typer reports its own usage errors
        raise
    except KeyboardInterrupt:
        err.print(f"[yellow]{what}: interrupted / 已中断[/yellow]")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except InvalidSettings as e:
        err.print(f"[red]✗ {what} failed: the settings are invalid / {what_zh}失败：配置无效[/red]")
        for problem in e.problems:
            err.print(f"  • {problem}", markup=False)
        err.print(f"  {e.advice}", markup=False)
        raise typer.Exit(EXIT_SETTINGS) from None
    except TraceError as e:
        err.print(f"[red]✗ {what} failed / {what_zh}失败[/red] [{e.code}]")
        err.print(f"  {e.message}", markup=False)
        if e.message_zh != e.message:
            err.print(f"  {e.message_zh}", markup=False)
        raise typer.Exit(EXIT_FAILURE) from None
    except OSError as e:
        err.print(f"[red]✗ {what} failed / {what_zh}失败[/red]")
        err.print(f"  {e}", markup=False)
        err.print("  Check the path or address and its permissions. / 请检查路径或地址及其权限。")
        raise typer.Exit(EXIT_FAILURE) from None
    except Exception as e:  # the last line of defence: a message, never a traceback
        err.print(f"[red]✗ {what} failed unexpectedly / {what_zh}意外失败[/red]")
        err.print(f"  {type(e).__name__}: {e}", markup=False)
        err.print("  Please report this with the command you ran. / 请连同所执行的命令一起报告此问题。")
        raise typer.Exit(EXIT_FAILURE) from None


def check_port_free(host: str, port: int) -> None:
    """Fail with advice before uvicorn would, if the address is taken (uvicorn only logs and exits)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise OSError(
                    f"{host}:{port} is already in use; stop what runs there or choose another --port "
                    f"（端口 {port} 已被占用，请换一个 --port）"
                ) from e
            raise OSError(f"cannot listen on {host}:{port}: {e.strerror}") from e


def public_url(host: str, port: int, scheme: str = "http") -> str:
    """Where a person on this machine reaches a server listening on ``host``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"{scheme}://{shown}:{port}"
