"""The embedded store: the whole graph in one SQLite file, for a laptop with nothing else installed."""

from retrace.adapters.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
