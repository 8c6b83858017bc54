"""The Neo4j store (production): ``Neo4jStore.connect(uri)``, then ``await store.migrate()`` once."""

from retrace.adapters.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore"]
