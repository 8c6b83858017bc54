"""What a benchmark run was asked to do and what it found, and the results file's JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from retrace.bench.answers import Answer
from retrace.bench.cases import Chain
from retrace.bench.targets import Targets
from retrace.bench.timing import Timing

STORES = ("sqlite", "neo4j")


@dataclass(frozen=True)
class Options:
    items: int = 2000
    seed: int = 42
    stores: tuple[str, ...] = STORES
    repeat: int = 10
    warmup: int = 2
    budget_s: float = 20.0  # per question and approach: repetitions stop once this is spent (after 3 runs)
    batch: int = 500  # events per capture batch
    workdir: Path = Path(".cache/bench")
    neo4j_uri: str = "bolt://127.0.0.1:17687"
    neo4j_auth: tuple[str, str] | None = None
    neo4j_database: str = "neo4j"
    wipe_neo4j: bool = False
    neo4j_data_dir: Path | None = None


@dataclass
class Measurement:
    name: str
    question: str
    question_zh: str
    ours: Timing
    answer: Answer
    naive: Timing | None = None
    naive_answer: Answer | None = None
    naive_means: str = ""
    spent_s: float = 0.0  # wall time spent on this question, answer checks and warm-up included

    @property
    def same_answer(self) -> bool | None:
        return None if self.naive_answer is None else self.naive_answer == self.answer

    @property
    def ratio(self) -> float | None:
        """How many times longer the naive approach takes (medians)."""
        if self.naive is None or self.ours.median_ms <= 0:
            return None
        return self.naive.median_ms / self.ours.median_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "question_zh": self.question_zh,
            "ours": self.ours.as_dict(),
            "naive": self.naive.as_dict() if self.naive else None,
            "naive_means": self.naive_means or None,
            "ratio": round(self.ratio, 3) if self.ratio is not None else None,
            "same_answer": self.same_answer,
            "spent_s": round(self.spent_s, 3),
            "answer": {"digest": self.answer.digest, "size": self.answer.size},
            "naive_answer": (
                {"digest": self.naive_answer.digest, "size": self.naive_answer.size}
                if self.naive_answer
                else None
            ),
        }


@dataclass
class LoadResult:
    events: int
    created: int
    objects: int
    flow_records: int
    elapsed_s: float
    disk_before: dict[str, int]  # bytes by part before loading (an empty store)
    disk_after: dict[str, int] = field(default_factory=dict)  # … at the end (SQLite: closed, so checkpointed)

    @property
    def disk_bytes(self) -> int | None:
        return sum(self.disk_after.values()) if self.disk_after else None

    @property
    def disk_growth_bytes(self) -> int | None:
        if not self.disk_after:
            return None
        return sum(self.disk_after.values()) - sum(self.disk_before.values())

    @property
    def events_per_s(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def objects_per_s(self) -> float:
        return self.objects / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "created": self.created,
            "objects": self.objects,
            "flow_records": self.flow_records,
            "elapsed_s": round(self.elapsed_s, 3),
            "events_per_s": round(self.events_per_s, 1),
            "objects_per_s": round(self.objects_per_s, 1),
            "disk_bytes": self.disk_bytes,
            "disk_growth_bytes": self.disk_growth_bytes,
            "disk_before": self.disk_before,
            "disk_after": self.disk_after,
        }


@dataclass
class StoreResult:
    kind: str
    version: str
    where: str
    load: LoadResult
    chain: Chain
    measurements: list[Measurement] = field(default_factory=list)
    elapsed_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "where": self.where,
            "elapsed_s": round(self.elapsed_s, 3),
            "load": self.load.as_dict(),
            "chain": {
                "vin": self.chain.vin,
                "lot_code": self.chain.lot_code,
                "reaches_lithium_carbonate": self.chain.reaches_lithium_carbonate,
            },
            "measurements": {m.name: m.as_dict() for m in self.measurements},
        }


@dataclass
class Results:
    options: Options
    targets: Targets
    machine: dict[str, Any]
    started_at: datetime
    stores: list[StoreResult] = field(default_factory=list)
    elapsed_s: float = 0.0
    mismatches: list[str] = field(default_factory=list)  # files holding answers that differ

    def agreement(self) -> dict[str, bool]:
        """Per question: whether every store gave the same answer (only with two stores or more)."""
        if len(self.stores) < 2:
            return {}
        names = [m.name for m in self.stores[0].measurements]
        digests = {s.kind: {m.name: m.answer.digest for m in s.measurements} for s in self.stores}
        return {n: len({d.get(n) for d in digests.values()}) == 1 for n in names}

    @property
    def all_answers_agree(self) -> bool:
        same = [m.same_answer for s in self.stores for m in s.measurements if m.same_answer is not None]
        return all(same) and all(self.agreement().values())

    def as_dict(self) -> dict[str, Any]:
        o, t = self.options, self.targets
        return {
            "schema": "retrace-bench/1",
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "elapsed_s": round(self.elapsed_s, 3),
            "parameters": {
                "items": o.items,
                "seed": o.seed,
                "stores": list(o.stores),
                "repeat": o.repeat,
                "warmup": o.warmup,
                "budget_s": o.budget_s,
                "batch": o.batch,
            },
            "machine": self.machine,
            "store_versions": {s.kind: s.version for s in self.stores},
            "data_set": {
                "generator": "retrace.demo.synthetic",
                "items": t.items,
                "seed": o.seed,
                "events": t.events,
                "event_types": dict(sorted(t.event_types.items())),
                "busiest_site": t.busiest_site,
                "top_producer": t.top_producer,
            },
            "stores": {s.kind: s.as_dict() for s in self.stores},
            "agreement_across_stores": self.agreement() or None,
            "all_answers_agree": self.all_answers_agree,
            "mismatch_files": self.mismatches,
        }
