"""Schema migrations of the Neo4j store: ``graph_schema/migrations/V<version>__<name>.cypher``, applied in order.

Each file holds idempotent DDL (``IF NOT EXISTS``) separated by ``;``; ``//`` lines are comments.  Every statement
runs in its own auto-commit transaction (Neo4j refuses schema and data changes in one transaction).  A file that
ran completely is recorded as ``(:SchemaMigration {version, name, checksum, applied_at})``; the next run skips it.
A recorded file whose statements have changed since is refused: add a new file instead of editing an applied one.
Because every statement is idempotent, a run interrupted half-way, or two processes migrating at once, end in the
same schema.

The files live at ``<repo>/graph_schema/migrations``, or in a copy inside the package for an installed wheel (see
``candidate_directories``); ``directory`` overrides both.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from neo4j import AsyncDriver
from neo4j.exceptions import Neo4jError

import retrace
from retrace.adapters.neo4j import queries as q
from retrace.domain.errors import TraceError

MIGRATION_FILE = re.compile(r"^V(?P<version>\d{4,})__(?P<name>[A-Za-z0-9_]+)\.cypher$")
INDEX_WAIT_SECONDS = 300
# What a statement with IF NOT EXISTS can still report when another process created the same rule at the same moment.
_ALREADY_THERE = frozenset(
    {
        "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "Neo.ClientError.Schema.ConstraintAlreadyExists",
        "Neo.ClientError.Schema.IndexAlreadyExists",
    }
)


class MigrationError(TraceError):
    """The migration files are missing, malformed, or differ from what the database recorded as applied."""

    default_code = "SCHEMA_MIGRATION_FAILED"


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    statements: tuple[str, ...]

    @property
    def checksum(self) -> str:
        """A hash of the statements only: editing a comment does not change it."""
        return hashlib.sha256("\n;\n".join(self.statements).encode()).hexdigest()


def candidate_directories() -> list[Path]:
    """Where the migration files are looked for: a checkout's ``graph_schema/`` next to the package, then a copy
    inside the package (how a wheel can carry them: hatch ``force-include`` of ``graph_schema`` to
    ``retrace/adapters/neo4j/graph_schema``)."""
    return [
        Path(retrace.__file__).resolve().parent.parent / "graph_schema" / "migrations",
        Path(__file__).resolve().parent / "graph_schema" / "migrations",
    ]


def default_directory() -> Path:
    candidates = candidate_directories()
    return next((c for c in candidates if c.is_dir()), candidates[0])


def split_statements(text: str) -> tuple[str, ...]:
    """The statements of a migration file: ``;``-separated, whole-line ``//`` comments and blank lines dropped."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("//")]
    return tuple(s.strip() for s in "\n".join(lines).split(";") if s.strip())


def load_migrations(directory: Path | None = None) -> list[Migration]:
    folder = directory or default_directory()
    if not folder.is_dir():
        looked = [folder] if directory else candidate_directories()
        raise MigrationError(
            f"the Neo4j schema migrations are not at {' nor '.join(map(str, looked))}: run from a checkout of the "
            "project, or install a build that carries graph_schema/",
            message_zh=f"找不到 Neo4j 模式迁移文件目录 {folder}",
        )
    found: dict[str, Migration] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix != ".cypher":
            continue
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            raise MigrationError(
                f"{path.name} is not named V<4+ digits>__<name>.cypher",
                message_zh=f"迁移文件名不合规范：{path.name}",
            )
        version = match["version"]
        if version in found:
            raise MigrationError(
                f"two migration files have version {version}", message_zh=f"迁移版本号重复：{version}"
            )
        statements = split_statements(path.read_text(encoding="utf-8"))
        if not statements:
            raise MigrationError(f"{path.name} holds no statement", message_zh=f"迁移文件为空：{path.name}")
        found[version] = Migration(version, match["name"], statements)
    if not found:
        raise MigrationError(
            f"no V*.cypher migration in {folder}", message_zh=f"目录中没有迁移文件：{folder}"
        )
    return [found[v] for v in sorted(found, key=int)]


async def apply_migrations(driver: AsyncDriver, database: str, directory: Path | None = None) -> list[str]:
    """Apply the migrations not yet recorded in ``database``; return their versions, in the order applied."""
    migrations = load_migrations(directory)
    async with driver.session(database=database) as session:
        result = await session.run(q.APPLIED_MIGRATIONS)
        applied = {record["version"]: record["checksum"] async for record in result}
        newly: list[str] = []
        for migration in migrations:
            recorded = applied.get(migration.version)
            if recorded is not None:
                if recorded != migration.checksum:
                    raise MigrationError(
                        f"migration V{migration.version}__{migration.name} changed after it was applied; "
                        "put the change in a new migration file",
                        message_zh=f"已执行的迁移 V{migration.version} 被修改，请新增迁移文件",
                    )
                continue
            for statement in migration.statements:
                try:
                    await (await session.run(statement)).consume()
                except Neo4jError as e:
                    if e.code not in _ALREADY_THERE:
                        raise
            await (
                await session.run(
                    q.RECORD_MIGRATION,
                    version=migration.version,
                    name=migration.name,
                    checksum=migration.checksum,
                )
            ).consume()
            newly.append(migration.version)
        if newly:
            # Uniqueness constraints are enforced once created; range indexes fill in the background.  Waiting
            # here means the first queries after a migration are planned with every index online.
            await (await session.run(q.AWAIT_INDEXES, seconds=INDEX_WAIT_SECONDS)).consume()
    return newly
