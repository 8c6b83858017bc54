"""The body of ``POST /api/v1/labels``: which objects to print a sheet of labels for."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import AwareDatetime, Field, model_validator

from retrace.api.schemas.common import Id, Identifier, RequestModel
from retrace.app.labels import MAX_LABELS


class LabelSheetRequest(RequestModel):
    """Exactly one way of choosing: ``identifiers``, or ``event_id``, or ``party_id`` with ``start`` and ``end``."""

    identifiers: Annotated[
        list[Identifier] | None,
        Field(
            min_length=1,
            description=f"One label per identifier, in this order (any identifier of each object); at most "
            f"{MAX_LABELS} (`BATCH_TOO_LARGE`).",
        ),
    ] = None
    event_id: Annotated[
        Id | None,
        Field(description="Every object this event created (a commission's items, a disassembly's parts)."),
    ] = None
    party_id: Annotated[
        Id | None, Field(description="Every item this party commissioned between `start` and `end`.")
    ] = None
    start: Annotated[
        AwareDatetime | None, Field(description="With `party_id`: from this instant (inclusive).")
    ] = None
    end: Annotated[
        AwareDatetime | None, Field(description="With `party_id`: until this instant (exclusive).")
    ] = None

    @model_validator(mode="after")
    def _one_selection(self) -> Self:
        chosen = [self.identifiers is not None, self.event_id is not None, self.party_id is not None]
        if sum(chosen) != 1:
            raise ValueError("give exactly one of identifiers, event_id, or party_id with start and end")
        if self.party_id is not None and (self.start is None or self.end is None):
            raise ValueError("party_id needs start and end")
        if self.party_id is None and (self.start is not None or self.end is not None):
            raise ValueError("start and end go with party_id")
        return self

    @property
    def period(self) -> tuple[datetime, datetime]:
        assert self.start is not None and self.end is not None
        return self.start, self.end
