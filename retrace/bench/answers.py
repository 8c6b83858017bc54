"""Answers made comparable: a canonical JSON form and its digest.

Two ways of answering a question (ours and the naive one, or the same question on two stores) agree when their
canonical forms are equal.  The form is plain JSON with sorted keys; a caller first keeps what the answer is about
(for an event history, the events and their order, not the instant the server recorded them, which differs between
two loads).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any


def canonical(value: Any) -> Any:
    """``value`` as JSON data: dataclasses as objects, sets sorted, numbers that are not floats as exact text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return canonical(value.value)
    if isinstance(value, dict):
        return {str(canonical(k)): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Fraction | Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"no canonical form for {type(value).__name__}")


def canonical_text(value: Any) -> str:
    return json.dumps(canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclasses.dataclass(frozen=True)
class Answer:
    """What a question answered: a digest of its canonical form and how many things it holds (for the report)."""

    digest: str
    size: int

    @classmethod
    def of(cls, value: Any, size: int) -> Answer:
        return cls(hashlib.sha256(canonical_text(value).encode()).hexdigest()[:16], size)
