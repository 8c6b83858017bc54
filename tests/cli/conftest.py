"""The ``trace`` command run in-process with typer's runner, against stores in temporary folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from retrace.cli.main import app

Invoke = Callable[..., Result]


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run ``trace <args>`` with the embedded store in ``tmp_path`` unless ``env`` says otherwise."""
    for name in ("TRACE_STORE", "TRACE_ENV", "TRACE_SQLITE_PATH", "TRACE_MAX_BATCH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        full_env = {"TRACE_SQLITE_PATH": str(tmp_path / "data" / "trace.db"), "COLUMNS": "200", **(env or {})}
        return CliRunner().invoke(app, list(args), env=full_env)

    return run
