"""Splitting whole grams in proportion, exactly: reagents among a transformation's outputs, and the mass of a lot
made from several streams among those streams.

Every split gives whole grams that add up to the total (largest remainder; ties go to the earlier share), so sums
over flow records stay exact and both stores hold the same numbers.  The rules are in ``docs/rates.md``
("Reagents", "Mixed streams").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from retrace.domain.changes import FlowRecord
from retrace.domain.model import Fate, Stream, TracedObject

# The fates a reagent is taken from first: reagents are added to make the recovered products (the acid and water
# of a sulfate, the carbonate of lithium carbonate), so the recovered outputs are the ones they are assumed to be in.
REAGENT_FIRST = frozenset({Fate.REUSE, Fate.REMANUFACTURE, Fate.RECYCLING})


def split(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` (all ≥ 0), adding up to ``total``.  All weights zero:
    equal parts.

    >>> split(10, [1, 1, 1])
    [4, 3, 3]
    >>> split(100, [60, 40, 0])
    [60, 40, 0]
    """
    if not weights:
        return []
    if sum(weights) == 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts = [magnitude * w // whole for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(magnitude * weights[i] % whole), i))
    for i in remainders[: magnitude - sum(parts)]:
        parts[i] += 1
    return [sign * p for p in parts]


def allocate_reagents(reagent_g: int, outputs: Sequence[tuple[int, Fate]]) -> list[int]:
    """How many grams of each output (mass, fate) are reagent: the recovered outputs take the reagents first, in
    proportion to their mass and at most their whole mass; what exceeds them goes to the other outputs the same way;
    reagents beyond all the outputs left with the process (gas, waste water) and are in none.

    >>> allocate_reagents(150, [(100, Fate.RECYCLING), (50, Fate.RECYCLING), (40, Fate.DISPOSAL)])
    [100, 50, 0]
    >>> allocate_reagents(170, [(100, Fate.RECYCLING), (50, Fate.RECYCLING), (40, Fate.DISPOSAL)])
    [100, 50, 20]
    """
    out = [0] * len(outputs)
    left = max(reagent_g, 0)
    for tier in (True, False):
        chosen = [i for i, (_, fate) in enumerate(outputs) if (fate in REAGENT_FIRST) is tier]
        room = sum(outputs[i][0] for i in chosen)
        taken = min(left, room)
        for i, grams in zip(chosen, split(taken, [outputs[i][0] for i in chosen]), strict=True):
            out[i] = grams
        left -= taken
    return out


def stream_mix(inputs: Sequence[TracedObject]) -> tuple[Stream, tuple[tuple[str, int], ...]]:
    """The stream of what a transformation makes of ``inputs``, and its mix: the input grams of each stream
    (a mixed input counts by its own mix).  One stream: that stream, no mix.  Several: the stream with the most
    input mass (ties: the first by name) names the lot, and the mix splits its records."""
    grams: dict[str, int] = {}
    for obj in inputs:
        if obj.stream_mix:
            names = [s for s, _ in obj.stream_mix]
            for name, part in zip(names, split(obj.mass_g, [w for _, w in obj.stream_mix]), strict=True):
                grams[name] = grams.get(name, 0) + part
        else:
            grams[obj.stream.value] = grams.get(obj.stream.value, 0) + obj.mass_g
    if len(grams) == 1:
        return Stream(next(iter(grams))), ()
    if not any(grams.values()):  # weightless inputs: each input counts once
        grams = {}
        for obj in inputs:
            for stream in obj.streams:
                grams[stream.value] = grams.get(stream.value, 0) + 1
    mix = tuple(sorted(grams.items()))
    first = min(mix, key=lambda kv: (-kv[1], kv[0]))[0]
    return Stream(first), mix


def by_stream(record: FlowRecord, mix: tuple[tuple[str, int], ...]) -> list[FlowRecord]:
    """One record per stream of ``mix``, the mass, value and element content split in its proportions."""
    weights = [w for _, w in mix]
    masses = split(record.mass_g, weights)
    values = split(record.value_cny, weights)
    elements = [split(grams, weights) for _, grams in record.elements_g]
    out = []
    for i, (name, _) in enumerate(mix):
        out.append(
            dataclasses.replace(
                record,
                stream=Stream(name),
                mass_g=masses[i],
                value_cny=values[i],
                elements_g=tuple(
                    (element, parts[i])
                    for (element, _), parts in zip(record.elements_g, elements, strict=True)
                    if parts[i]
                ),
            )
        )
    return out
