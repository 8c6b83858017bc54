"""What the benchmark asks about, picked from the synthetic data set while it is counted.

One pass over the generated events (the generator is deterministic and fast: about 2,000 items a second) counts
them and keeps a seeded sample of identifiers of every kind, the lithium carbonate lots (the far end of the
vehicle → pack → module → cell → black mass → lithium carbonate chains), the site where most happens and the
producer that commissions most.  The same items and seed give the same targets, so two runs ask the same questions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from random import Random

from retrace.app.registry import Registration
from retrace.domain.events import Commission, Disassemble, Event, NewItem, NewLot, Transform
from retrace.domain.identifiers import (
    BatteryCode,
    DigitalLink,
    Identifier,
    Sgtin96Hex,
    SgtinUrn,
    Vin,
    parse_identifier,
)

SAMPLE = 100  # identifiers kept of each kind (the GraphQL list asks for 100)


class IdentifierKind:
    """The identifier forms the benchmark looks items up by (a label, an RFID tag, a VIN, a battery, a lot)."""

    DIGITAL_LINK = "digital_link"
    EPC_URN = "epc_urn"
    SGTIN96_HEX = "sgtin96_hex"
    VIN = "vin"
    BATTERY_CODE = "battery_code"
    LOT_CODE = "lot_code"

    ALL: tuple[str, ...] = (DIGITAL_LINK, EPC_URN, SGTIN96_HEX, VIN, BATTERY_CODE, LOT_CODE)


_ITEM_KINDS: dict[type[Identifier], str] = {
    DigitalLink: IdentifierKind.DIGITAL_LINK,
    SgtinUrn: IdentifierKind.EPC_URN,
    Sgtin96Hex: IdentifierKind.SGTIN96_HEX,
    Vin: IdentifierKind.VIN,
    BatteryCode: IdentifierKind.BATTERY_CODE,
}


class _Reservoir:
    """A uniform sample of fixed size from a stream of unknown length (reservoir sampling), seeded."""

    def __init__(self, size: int, rng: Random) -> None:
        self.size = size
        self.rng = rng
        self.seen = 0
        self.kept: list[str] = []

    def offer(self, value: str) -> None:
        self.seen += 1
        if len(self.kept) < self.size:
            self.kept.append(value)
            return
        slot = self.rng.randrange(self.seen)
        if slot < self.size:
            self.kept[slot] = value


@dataclass
class Targets:
    """Counts of the generated data set and the identifiers and scopes the questions are about."""

    items: int
    events: int = 0
    event_types: Counter[str] = field(default_factory=Counter)
    identifiers: dict[str, list[str]] = field(default_factory=dict)  # IdentifierKind → sample
    lithium_carbonate_lots: list[str] = field(default_factory=list)
    busiest_site: str = ""
    top_producer: str = ""

    def sample(self, kind: str) -> list[str]:
        return self.identifiers.get(kind, [])

    def mixed(self, count: int) -> list[str]:
        """``count`` identifiers taking every kind in turn (for the GraphQL list)."""
        pools = [list(self.sample(k)) for k in IdentifierKind.ALL if self.sample(k)]
        out: list[str] = []
        while len(out) < count and any(pools):
            for pool in pools:
                if pool and len(out) < count:
                    out.append(pool.pop(0))
        return out


def survey(
    items: int,
    registration: Registration,
    batches: Iterable[list[Event]],
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> Targets:
    """Count ``batches`` and pick the targets; ``progress`` is told the events counted so far."""
    producer_of = {m.id: m.producer_id for m in registration.models}
    rng = Random(f"retrace-bench:{seed}")
    samples = {kind: _Reservoir(SAMPLE, rng) for kind in IdentifierKind.ALL}
    targets = Targets(items)
    sites: Counter[str] = Counter()
    producers: Counter[str] = Counter()
    for batch in batches:
        for event in batch:
            targets.events += 1
            targets.event_types[event.type] += 1
            sites[event.site_id] += 1
            new_items: tuple[NewItem, ...] = ()
            lots: tuple[NewLot, ...] = ()
            if isinstance(event, Commission):
                new_items = event.items
                # Units of a producer's models, whoever tagged them (legacy units are tagged at intake).
                producers.update(producer_of.get(item.model_id, "") for item in event.items)
            elif isinstance(event, Disassemble):
                new_items, lots = event.parts, event.lots
            elif isinstance(event, Transform):
                lots = event.outputs
            for item in new_items:
                for text in item.identifiers:
                    kind = _ITEM_KINDS.get(type(parse_identifier(text)))
                    if kind is not None:
                        samples[kind].offer(text)
            for lot in lots:
                samples[IdentifierKind.LOT_CODE].offer(lot.code)
                if lot.material == "lithium_carbonate":
                    targets.lithium_carbonate_lots.append(lot.code)
        if progress is not None:
            progress(targets.events)
    targets.identifiers = {kind: sorted(r.kept) for kind, r in samples.items() if r.kept}
    targets.busiest_site = sites.most_common(1)[0][0] if sites else ""
    del producers[""]
    targets.top_producer = producers.most_common(1)[0][0] if producers else ""
    return targets
