"""Let driver work that has started finish when the task awaiting it is cancelled.

Why: the Neo4j driver (6.4) cannot tell where the Bolt protocol stands when it is cancelled in the middle of a
query, so it drops the connection; and when the cancellation lands while it is opening a new connection, it leaves
the freshly connected socket open for the garbage collector to find (its clean-up catches ``Exception``, which
``CancelledError`` is not).  Cancellations are routine here: a GraphQL subscriber leaving cancels its feed's poll,
a client hanging up cancels its request.  Neither should cost the pool a connection or leak a socket, so the work
runs in its own task and a cancelled caller waits, for a bounded time, until it is done before passing the
cancellation on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# Long enough for any read a subscriber or a request is waiting on; a query still running after that is abandoned
# (and its connection dropped, as the driver would have done at once).
GRACE_S = 10.0


async def finish_before_cancelling(work: Coroutine[Any, Any, T], grace_s: float = GRACE_S) -> T:
    """The result of ``work``; if the caller is cancelled first, wait up to ``grace_s`` for ``work`` to end, then
    re-raise the cancellation (``work``'s own outcome is then discarded: nobody is left to receive it)."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        done, _ = await asyncio.wait({task}, timeout=grace_s)
        if task in done:
            if not task.cancelled():
                task.exception()  # mark a failure as seen: the caller has gone and cannot receive it
        else:
            task.cancel()
        raise
