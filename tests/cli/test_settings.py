"""Settings from the environment: prefix, defaults, and no default secrets in production."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from retrace.config import Settings


def test_defaults_run_the_embedded_store(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRACE_STORE", "TRACE_SQLITE_PATH", "TRACE_ENV", "TRACE_MASS_TOLERANCE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.store == "sqlite" and settings.sqlite_path == Path("trace-data/trace.db")
    assert settings.mass_tolerance == Decimal("0.02") and settings.max_batch == 1000
    assert settings.max_clock_skew.total_seconds() == 300 and settings.max_lineage_depth == 50


def test_the_environment_sets_fields_with_the_trace_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACE_STORE", "neo4j")
    monkeypatch.setenv("TRACE_NEO4J_URI", "bolt://db:7687")
    monkeypatch.setenv("TRACE_NEO4J_PASSWORD", "s3cret-enough")
    monkeypatch.setenv("TRACE_MASS_TOLERANCE", "0.05")
    settings = Settings()
    assert settings.store == "neo4j" and settings.neo4j_uri == "bolt://db:7687"
    assert settings.neo4j_auth == ("neo4j", "s3cret-enough") and settings.mass_tolerance == Decimal("0.05")
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize("password", ["", "neo4j", "password"])
def test_production_refuses_default_passwords(password: str) -> None:
    with pytest.raises(ValidationError, match="TRACE_NEO4J_PASSWORD"):
        Settings(env="production", store="neo4j", neo4j_password=password)  # type: ignore[arg-type]
    Settings(env="development", store="neo4j", neo4j_password=password)  # type: ignore[arg-type]
    Settings(env="production", store="sqlite", neo4j_password=password)  # type: ignore[arg-type]


def test_no_user_means_no_authentication() -> None:
    settings = Settings(env="production", store="neo4j", neo4j_user="")
    assert settings.neo4j_auth is None
