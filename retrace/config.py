"""Settings of a running platform, read from the environment (prefix ``TRACE_``) once, by the entry points.

Nothing below the entry points reads the environment: the API, the CLI and the tests build a ``Settings`` and hand
what the use cases need to them (``retrace.bootstrap``).  In production a Neo4j password that is empty or a
well-known default is refused at start, rather than discovered by whoever guesses it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where `npm ci` (scripts/bootstrap) installs the browser libraries the platform serves (the scanner's QR decoder,
# the development GraphQL IDE): node_modules beside the package. The one place that knows it.
_REPOSITORY = Path(__file__).resolve().parent.parent
_NODE_MODULES = _REPOSITORY / "node_modules"

# Passwords that anyone would try first: Neo4j's factory default and the usual placeholders.
_WEAK_PASSWORDS = frozenset({"", "neo4j", "password", "changeme", "change-me", "secret", "test"})


class Settings(BaseSettings):
    """Every setting, with the environment variable that sets it: ``TRACE_`` + the field name in capitals."""

    model_config = SettingsConfigDict(env_prefix="TRACE_", extra="ignore", frozen=True)

    store: Literal["sqlite", "neo4j"] = Field(
        default="sqlite", description="Which graph store to use: the embedded SQLite file or a Neo4j server."
    )
    sqlite_path: Path = Field(
        default=Path("./trace-data/trace.db"),
        description="The embedded store's file; its folder is created if missing.",
    )
    neo4j_uri: str = Field(
        default="bolt://127.0.0.1:7687", description="Bolt or neo4j:// URI of the Neo4j server."
    )
    neo4j_user: str = Field(
        default="neo4j",
        description="Neo4j user; empty to connect without authentication (a server with auth off).",
    )
    neo4j_password: SecretStr = Field(default=SecretStr(""), description="Neo4j password.")
    neo4j_database: str = Field(
        default="neo4j", description="Neo4j database name (Community edition has only `neo4j`)."
    )
    env: Literal["development", "production"] = Field(
        default="development", description="`production` refuses empty or default secrets."
    )
    mass_tolerance: Decimal = Field(
        default=Decimal("0.02"),
        ge=0,
        le=1,
        description="How far outputs may exceed inputs (0.02 = 2 %) before a capture "
        "is refused for mass balance.",
    )
    max_clock_skew_seconds: int = Field(
        default=300, ge=0, description="How far in the future an event time may lie."
    )
    max_batch: int = Field(default=1000, ge=1, le=100_000, description="Most events in one capture batch.")
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest request body the API reads."
    )
    max_lineage_depth: int = Field(default=50, ge=1, le=1000, description="Deepest lineage query allowed.")
    feed_poll_interval_s: float = Field(
        default=1.0,
        ge=0.05,
        le=60.0,
        description="How often a live feed (GraphQL subscription) reads the event log for events recorded by other "
        "workers or processes; what this process records wakes its feeds at once.",
    )
    resolver_base: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of this platform's GS1 Digital Link resolver."
    )
    tls_cert: Path | None = Field(
        default=None,
        description="PEM certificate (chain) to serve https with (`trace serve`, `trace demo`); goes with "
        "TRACE_TLS_KEY. A phone's camera works for the scanner only over https (`trace tls-cert` makes one).",
    )
    tls_key: Path | None = Field(default=None, description="PEM private key (unencrypted) of TRACE_TLS_CERT.")
    scanner_decoder_js: Path = Field(
        default=_NODE_MODULES / "jsqr" / "dist" / "jsQR.js",
        description="The jsQR build the scanner page decodes QR codes with where a browser has no "
        "BarcodeDetector; installed from npm by scripts/bootstrap (`npm ci`).",
    )
    graphql_ide_modules: Path = Field(
        default=_NODE_MODULES,
        description="The node_modules folder the development GraphQL IDE at /graphql is served from (GraphiQL, "
        "React and ReactDOM, as package-lock.json pins them); filled by scripts/bootstrap (`npm ci`). "
        "Not read in production, which serves no IDE.",
    )

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> Settings:
        if (
            self.env == "production"
            and self.store == "neo4j"
            and self.neo4j_user
            and self.neo4j_password.get_secret_value() in _WEAK_PASSWORDS
        ):
            raise ValueError(
                "TRACE_NEO4J_PASSWORD is empty or a well-known default; set a strong password for production "
                "(生产环境不允许使用空密码或默认密码)"
            )
        return self

    @property
    def neo4j_auth(self) -> tuple[str, str] | None:
        """What the driver is given: no credentials when no user is set."""
        if not self.neo4j_user:
            return None
        return (self.neo4j_user, self.neo4j_password.get_secret_value())

    @property
    def max_clock_skew(self) -> timedelta:
        return timedelta(seconds=self.max_clock_skew_seconds)
