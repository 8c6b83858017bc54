"""``trace migrate``, ``trace export-openapi`` and how commands fail: a message and an exit code, no traceback."""

from __future__ import annotations

from pathlib import Path

from tests.api.test_openapi import COMMITTED
from tests.cli.conftest import Invoke


def test_migrate_on_the_embedded_store_says_there_is_nothing_to_do(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("migrate")
    assert result.exit_code == 0, result.output
    assert "nothing to migrate" in result.output and "无需迁移" in result.output
    assert (tmp_path / "data" / "trace.db").exists()


def test_export_openapi_writes_the_committed_document(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("export-openapi", "--output", str(tmp_path / "out" / "openapi.json"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "openapi.json").read_text(encoding="utf-8") == COMMITTED.read_text(
        encoding="utf-8"
    )

    default = invoke("export-openapi")  # docs/openapi.json under the working directory
    assert default.exit_code == 0, default.output
    assert (tmp_path / "docs" / "openapi.json").read_text(encoding="utf-8") == COMMITTED.read_text(
        encoding="utf-8"
    )

    to_stdout = invoke("export-openapi", "--output", "-")
    assert to_stdout.stdout == COMMITTED.read_text(encoding="utf-8")


def test_export_openapi_check_fails_on_a_stale_file(invoke: Invoke, tmp_path: Path) -> None:
    stale = tmp_path / "stale.json"
    stale.write_text("{}\n", encoding="utf-8")
    result = invoke("export-openapi", "--check", "--output", str(stale))
    assert result.exit_code == 1 and "out of date" in result.output
    assert invoke("export-openapi", "--check", "--output", str(COMMITTED)).exit_code == 0


def test_a_default_password_in_production_is_refused_with_the_variable_named(invoke: Invoke) -> None:
    env = {"TRACE_ENV": "production", "TRACE_STORE": "neo4j", "TRACE_NEO4J_PASSWORD": "neo4j"}
    result = invoke("migrate", env=env)
    assert result.exit_code == 2, result.output
    assert "TRACE_NEO4J_PASSWORD" in result.output
    assert isinstance(result.exception, SystemExit)  # an exit code, not an exception


def test_an_invalid_setting_names_its_variable(invoke: Invoke) -> None:
    result = invoke("serve", env={"TRACE_STORE": "oracle"})
    assert result.exit_code == 2, result.output
    assert "TRACE_STORE" in result.output
    assert isinstance(result.exception, SystemExit)  # an exit code, not an exception


def test_an_unusable_store_path_says_what_to_do(invoke: Invoke, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke("serve", env={"TRACE_SQLITE_PATH": str(blocker / "trace.db")})
    assert result.exit_code == 1, result.output
    assert "STORE_UNAVAILABLE" in result.output and "TRACE_SQLITE_PATH" in result.output
    assert isinstance(result.exception, SystemExit)  # an exit code, not an exception


def test_a_port_in_use_is_reported_before_serving(invoke: Invoke) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("serve", "--port", str(port))
    assert result.exit_code == 1, result.output
    assert "already in use" in result.output
    assert isinstance(result.exception, SystemExit)  # an exit code, not an exception
