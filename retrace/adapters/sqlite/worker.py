"""One SQLite connection with a thread of its own, so the event loop never waits on the disk or on a lock.

Jobs run one at a time in the order they were submitted, each inside a transaction.  Any failure of SQLite or of
the file system becomes ``StoreUnavailable`` (after the transaction was rolled back); the domain's own errors
(``StaleWrite`` …) pass through unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

from retrace.domain.errors import StoreUnavailable, TraceError

T = TypeVar("T")
Job = Callable[[sqlite3.Connection], T]


def unavailable(path: Path, cause: BaseException) -> StoreUnavailable:
    return StoreUnavailable(
        f"the embedded store {path} failed ({type(cause).__name__}: {cause}); nothing was written by this request. "
        "Check that the disk is not full and the file and its folder are writable, then retry",
        message_zh=f"嵌入式数据库 {path} 出错，本次请求未写入任何数据；请检查磁盘空间与文件权限后重试",
        details={"path": str(path)},
    )


class Worker:
    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._conn: sqlite3.Connection | None = None
        self._file: tuple[int, int] | None = None  # (device, inode) of the file opened
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def open(self, prepare: Callable[[sqlite3.Connection], None], *, create_folder: bool) -> None:
        await self._submit(partial(self._connect, prepare, create_folder))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True  # refuse new jobs; the ones already queued still run
        try:
            await asyncio.get_running_loop().run_in_executor(
                self._executor, partial(self._guarded, self._disconnect)
            )
        finally:
            self._executor.shutdown(wait=True)

    # -- jobs ------------------------------------------------------------------------------------------------

    async def read(self, job: Job[T]) -> T:
        """Run ``job`` in a read transaction: every query of it sees the same committed state."""
        return await self._submit(partial(self._transaction, False, job))

    async def write(self, job: Job[T]) -> T:
        """Run ``job`` holding the database's write lock, and commit; roll back if it raises.

        ``BEGIN IMMEDIATE`` takes the lock before the first read, so what the job checks cannot change (in this or
        any other process) before it commits."""
        return await self._submit(partial(self._transaction, True, job))

    async def check(self) -> None:
        await self._submit(self._check_file)

    # -- in the worker thread --------------------------------------------------------------------------------

    async def _submit(self, call: Callable[[], T]) -> T:
        if self._closed:
            raise StoreUnavailable(
                f"the embedded store {self.path} is closed",
                message_zh="嵌入式数据库已关闭",
                details={"path": str(self.path)},
            )
        return await asyncio.get_running_loop().run_in_executor(self._executor, partial(self._guarded, call))

    def _guarded(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except TraceError:
            raise
        except (sqlite3.Error, OSError) as e:
            raise unavailable(self.path, e) from e

    def _connect(self, prepare: Callable[[sqlite3.Connection], None], create_folder: bool) -> None:
        if create_folder:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode (isolation_level=None): transactions are begun explicitly, never implicitly.
        # The busy timeout is set by ``prepare`` (PRAGMA busy_timeout), which supersedes connect's own.
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            prepare(conn)
            stat = os.stat(self.path)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._file = (stat.st_dev, stat.st_ino)

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable(
                f"the embedded store {self.path} is not open",
                message_zh="嵌入式数据库未打开",
                details={"path": str(self.path)},
            )
        return self._conn

    def _check_file(self) -> None:
        """Refuse to go on if the file was deleted or replaced since it was opened.

        SQLite keeps writing to a deleted file through its open handle and reports success: every acknowledged
        write would then be lost.  One ``stat`` per write closes that hole."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            stat = None
        if stat is None or (stat.st_dev, stat.st_ino) != self._file:
            raise StoreUnavailable(
                f"the database file {self.path} was removed or replaced while the store was open; restart trace",
                message_zh=f"数据库文件 {self.path} 在使用中被删除或替换，请重新启动 trace",
                details={"path": str(self.path)},
            )

    def _transaction(self, write: bool, job: Job[T]) -> T:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            if write:
                self._check_file()
            result = job(conn)
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return result


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite rolls back by itself when the connection or the file is lost; then there is nothing more to undo, and
    # even asking (``in_transaction`` of a closed connection raises) must not hide the failure that brought us here.
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
