"""A signal inside one process: "events were just recorded here".

The capture use case raises it after every commit that stored new events, whichever entry point called it (REST,
GraphQL, the CLI loader); live feeds wait on it between polls of the store's event log, so they answer at once for
what this process recorded.  Feeds still poll the store, because other workers and processes record events too:
those arrive within one poll interval.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class RecordedSignal:
    """Raised by ``recorded()``; followed by the listeners ``listener()`` makes."""

    def __init__(self) -> None:
        self.generation = 0  # how many times the signal was raised
        self._changed: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def recorded(self) -> None:
        self.generation += 1
        if self._changed is not None:
            self._changed.set()
            self._changed = None  # later waiters wait for the next raise

    def listener(self, at_most_s: float) -> Callable[[], Awaitable[None]]:
        """A wait for one feed: it returns at once if the signal was raised since the feed's previous wait
        returned (or since the listener was made), else at the next raise or after ``at_most_s`` seconds.

        Remembering what the feed has seen is what keeps a raise between the feed's read of the store and its
        next wait from being lost (the feed would then sleep a whole interval on events it has not read)."""
        seen = self.generation

        async def wait() -> None:
            nonlocal seen
            if self.generation == seen:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event().wait(), timeout=at_most_s)
            seen = self.generation

        return wait

    def _event(self) -> asyncio.Event:
        # Made inside the running loop, and anew if the loop changed: an asyncio.Event belongs to the loop it was
        # first awaited in, and the signal is built before any loop runs and may outlive one (as in tests).
        loop = asyncio.get_running_loop()
        if self._changed is None or self._loop is not loop:
            self._changed, self._loop = asyncio.Event(), loop
        return self._changed
