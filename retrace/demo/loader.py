"""Load a data set into a store through the real use cases, so every event passes every capture rule.

Master data goes in through ``RegisterMasterData`` (re-registering replaces, so it is harmless), events through
``CaptureEvents`` batch by batch.  Loading the same data again creates nothing: every event comes back as a replay.
A batch that breaks a rule stops the load with the use case's own error (``BatchRejected``); the batches before it
stay stored, and loading again resumes where it stopped, because those come back as replays.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from retrace.app.capture import CaptureEvents
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData, Registration
from retrace.domain.events import Event


@dataclass(frozen=True)
class LoadReport:
    events: int
    created: int
    replayed: int
    batches: int
    elapsed_s: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s > 0 else 0.0


async def load(
    store: GraphStore,
    registration: Registration,
    batches: Iterable[list[Event]],
    progress: Callable[[int], None] | None = None,
    *,
    capture: CaptureEvents | None = None,
) -> LoadReport:
    """Register ``registration``, then capture ``batches`` in order; ``progress`` is told the events done so far.

    ``capture`` lets a caller set the rules or the clock; by default the use case is built on ``store``."""
    started = time.perf_counter()
    await RegisterMasterData(store).execute(registration)
    use_case = capture or CaptureEvents(store)
    done = created = replayed = count = 0
    for batch in batches:
        if not batch:
            continue
        result = await use_case.execute(batch)
        done += len(batch)
        created += result.created
        replayed += result.replayed
        count += 1
        if progress is not None:
            progress(done)
    return LoadReport(done, created, replayed, count, time.perf_counter() - started)


def batched(events: Iterable[Event], size: int = 500) -> Iterable[list[Event]]:
    """``events`` in lists of at most ``size``, as capture takes them."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    batch: list[Event] = []
    for event in events:
        batch.append(event)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
