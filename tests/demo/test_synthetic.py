"""Synthetic data: deterministic per seed, streamed in capture batches, accepted by every capture rule."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections import Counter
from collections.abc import Iterable, Iterator

import pytest

from retrace.demo.dataset import demo_events, demo_registration
from retrace.demo.synthetic import COHORT, synthetic, synthetic_events
from retrace.domain.events import Commission, Event
from retrace.domain.identifiers import parse_identifier
from tests.demo.ledger import replay
from tests.demo.test_dataset import identifiers_in


def digest(batches: Iterable[list[Event]]) -> tuple[int, str]:
    h = hashlib.sha256()
    n = 0
    for batch in batches:
        for event in batch:
            h.update(event.event_id.encode())
            h.update(event.fingerprint().encode())
            n += 1
    return n, h.hexdigest()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    assert digest(synthetic(1000)[1]) == digest(synthetic(1000)[1])
    assert digest(synthetic(1000, seed=43)[1])[1] != digest(synthetic(1000)[1])[1]
    assert synthetic(10)[0] == demo_registration()


def test_batches_hold_at_most_batch_events_and_add_up() -> None:
    sizes = [len(b) for b in synthetic(300, batch=120)[1]]
    assert max(sizes) == 120 and all(s > 0 for s in sizes)
    assert sum(sizes) == sum(1 for _ in synthetic_events(300))


def test_it_streams_without_building_everything() -> None:
    """Ten million items: the first batches come at once, because only one cohort is generated at a time."""
    started = time.perf_counter()
    _, batches = synthetic(10_000_000)
    assert isinstance(batches, Iterator)
    first = list(itertools.islice(batches, 3))
    assert time.perf_counter() - started < 10
    assert [len(b) for b in first] == [500, 500, 500]
    assert first[0][0].event_id == "syn42-000000001"


def test_items_counts_the_top_level_items_commissioned() -> None:
    events = list(synthetic_events(2 * COHORT + 17))
    categories: Counter[str] = Counter()
    models = {m.id: m for m in demo_registration().models}
    for event in events:
        if isinstance(event, Commission):
            for item in event.items:
                categories[models[item.model_id].category] += 1
    derived = ("_cell", "_module", "second_life_ess")
    bev_packs = categories["passenger_car_bev"]
    top = (
        sum(n for c, n in categories.items() if not c.endswith(derived)) - bev_packs
    )  # packs built into cars
    assert top == 2 * COHORT + 17


def test_synthetic_events_pass_every_capture_rule_and_their_identifiers_parse() -> None:
    registration, batches = synthetic(1000)
    events = [e for batch in batches for e in batch]
    _, changes, errors = replay(registration, events)
    assert errors == []
    assert len(changes.records) == len(events)
    kinds = Counter(e.type for e in events)
    assert {"commission", "ship", "receive", "disassemble", "transform", "aggregate", "dispose"} <= set(kinds)
    for event in events[:3000]:
        for text in identifiers_in(event):
            parse_identifier(text)


def test_synthetic_identifiers_never_meet_the_demo_ones() -> None:
    def keys(events: Iterable[Event]) -> set[str]:
        return {
            parse_identifier(t).key
            for e in events
            if isinstance(e, Commission)
            for item in e.items
            for t in item.identifiers
        }

    assert not keys(demo_events()) & keys(synthetic_events(600))
    assert not keys(synthetic_events(600, seed=1)) & keys(synthetic_events(600, seed=2))


@pytest.mark.parametrize(
    ("items", "seed", "batch"), [(-1, 42, 500), (10, 42, 0), (10, 42, 1001), (10, 1000, 500)]
)
def test_bad_arguments_are_refused(items: int, seed: int, batch: int) -> None:
    with pytest.raises(ValueError, match=r"."):
        synthetic(items, seed, batch)
