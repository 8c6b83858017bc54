"""Targets as data: what a regulation or plan asks for, from when, for what, and where the figure comes from.

The rows live in ``retrace/targets/*.csv`` (their sources are named there); ``catalogue_from_rows`` turns them
into a ``Catalogue`` and refuses a malformed row, naming it.  Each target names the platform measure that checks it
(``measure``: ``recycling_rate``, ``element_recovery:lithium`` …, empty when the platform cannot measure it, with
the reason in ``note``) and what it applies to (``subject``: the report's scope, each party, each product model, or
a WEEE category).  A later edition of a target is a new row with a later ``applies_from``; a report uses the rows
whose dates cover its period.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from retrace.domain import errors as codes
from retrace.domain.errors import InvalidInput


class Quantity(StrEnum):
    RATE = "rate"  # a fraction (the value is a percentage)
    MASS = "mass"  # grams
    UNITS = "units"  # pieces
    MONEY = "money"  # yuan


# Units the data uses: what they measure and how many base units (fraction, gram, piece, yuan) one is.
UNITS: dict[str, tuple[Quantity, Fraction]] = {
    "%": (Quantity.RATE, Fraction(1, 100)),
    "10 kt": (Quantity.MASS, Fraction(10**10)),  # 万吨
    "100 Mt": (Quantity.MASS, Fraction(10**14)),  # 亿吨
    "100 million units": (Quantity.UNITS, Fraction(10**8)),  # 亿台
    "100 million CNY": (Quantity.MONEY, Fraction(10**8)),  # 亿元
}

SUBJECTS = ("scope", "party", "model")
WEEE_CATEGORY_PREFIX = "weee_category:"


class Status(StrEnum):
    OK = "ok"  # checked against the primary text
    VERIFY = "verify"  # from a secondary source: check before relying on it


def _bad(row_id: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"target data row {row_id!r}: {message}",
        code=codes.VALIDATION_ERROR,
        message_zh=f"目标数据行 {row_id!r} 有误：{message}",
        field=row_id,
    )


@dataclass(frozen=True)
class Target:
    id: str
    jurisdiction: str
    instrument: str
    stream: str  # weee, elv, battery; "" for all streams; other text for streams the platform does not have
    metric: str  # as the source names it
    measure: str | None  # the platform measure that checks it; None: not measurable (see ``note``)
    subject: str  # scope, party, model, or weee_category:<code>
    scope: str  # as the source states it (national, per recycler …)
    value: Decimal
    unit: str
    applies_from: date
    applies_to: date | None
    status: Status
    source: str  # file#row of the source it was transcribed from
    name_en: str
    name_zh: str
    note: str = ""

    @property
    def quantity(self) -> Quantity:
        return UNITS[self.unit][0]

    @property
    def base_value(self) -> Fraction:
        """The value in base units: a fraction for rates, grams, pieces or yuan."""
        return Fraction(self.value) * UNITS[self.unit][1]

    def in_force(self, start: date, end: date) -> bool:
        """Whether the target applies at some time in ``start..end``."""
        return self.applies_from <= end and (self.applies_to is None or self.applies_to >= start)


@dataclass(frozen=True)
class MaterialShare:
    indicator_class: str
    share: Fraction


@dataclass(frozen=True)
class Category:
    category: str
    stream: str
    epr_group: str
    component: bool  # built into other products: not counted on its own in EPR totals
    weee_category: str | None
    name_en: str
    name_zh: str


@dataclass(frozen=True)
class Catalogue:
    targets: tuple[Target, ...]
    materials: Mapping[str, tuple[MaterialShare, ...]] = field(default_factory=dict)
    categories: Mapping[str, Category] = field(default_factory=dict)
    version: str = ""

    def shares(self, material: str) -> tuple[MaterialShare, ...]:
        """How a material's mass splits into indicator classes (``other`` if the data does not say)."""
        return self.materials.get(material, (MaterialShare("other", Fraction(1)),))

    def category(self, name: str | None) -> Category | None:
        return self.categories.get(name or "")


def _date(row_id: str, text: str) -> date:
    text = text.strip()
    try:
        if len(text) == 4:  # a year: from its first day
            return date(int(text), 1, 1)
        return date.fromisoformat(text)
    except ValueError as e:
        raise _bad(row_id, f"{text!r} is not a date") from e


def _decimal(row_id: str, text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as e:
        raise _bad(row_id, f"{text!r} is not a number") from e
    if not value.is_finite() or value < 0:
        raise _bad(row_id, f"{text!r} is not a number ≥ 0")
    return value


def target_from_row(row: Mapping[str, str]) -> Target:
    row_id = (row.get("id") or "").strip()
    if not row_id:
        raise _bad("?", "no id")
    unit = row["unit"].strip()
    if unit not in UNITS:
        raise _bad(row_id, f"unknown unit {unit!r} (known: {', '.join(UNITS)})")
    subject = row["subject"].strip()
    if subject not in SUBJECTS and not subject.startswith(WEEE_CATEGORY_PREFIX):
        raise _bad(row_id, f"unknown subject {subject!r}")
    status = row["status"].strip()
    if status not in {s.value for s in Status}:
        raise _bad(row_id, f"status is {status!r}, not ok or verify")
    applies_from = _date(row_id, row["applies_from"])
    applies_to = _date(row_id, row["applies_to"]) if row.get("applies_to", "").strip() else None
    if applies_to is not None and applies_to < applies_from:
        raise _bad(row_id, "applies_to is before applies_from")
    measure = row["measure"].strip() or None
    if measure is None and not row.get("note", "").strip():
        raise _bad(row_id, "a target without a measure needs a note saying why")
    return Target(
        id=row_id,
        jurisdiction=row["jurisdiction"].strip(),
        instrument=row["instrument"].strip(),
        stream=row["stream"].strip(),
        metric=row["metric"].strip(),
        measure=measure,
        subject=subject,
        scope=row["scope"].strip(),
        value=_decimal(row_id, row["value"]),
        unit=unit,
        applies_from=applies_from,
        applies_to=applies_to,
        status=Status(status),
        source=row["source"].strip(),
        name_en=row["name_en"].strip(),
        name_zh=row["name_zh"].strip(),
        note=row.get("note", "").strip(),
    )


def catalogue_from_rows(
    targets: Iterable[Mapping[str, str]],
    materials: Iterable[Mapping[str, str]] = (),
    categories: Iterable[Mapping[str, str]] = (),
    version: str = "",
) -> Catalogue:
    parsed = tuple(target_from_row(r) for r in targets)
    seen: set[str] = set()
    for t in parsed:
        if t.id in seen:
            raise _bad(t.id, "the id is used twice")
        seen.add(t.id)
    shares: dict[str, list[MaterialShare]] = {}
    for r in materials:
        material = r["material"].strip()
        shares.setdefault(material, []).append(
            MaterialShare(r["class"].strip(), Fraction(_decimal(material, r["share"])))
        )
    for material, parts in shares.items():
        if sum(p.share for p in parts) > 1:
            raise _bad(material, "the class shares of a material add up to more than 1")
    cats = {
        r["category"].strip(): Category(
            category=r["category"].strip(),
            stream=r["stream"].strip(),
            epr_group=r["epr_group"].strip(),
            component=r["component"].strip() == "yes",
            weee_category=r["weee_category"].strip() or None,
            name_en=r["name_en"].strip(),
            name_zh=r["name_zh"].strip(),
        )
        for r in categories
    }
    return Catalogue(parsed, {m: tuple(p) for m, p in shares.items()}, cats, version)


def content_version(*texts: str) -> str:
    """A short hash of the data files' content: the report names the version of the targets it used."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:12]
