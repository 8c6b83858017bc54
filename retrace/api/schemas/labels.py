"""The body of ``POST /api/v1/labels``: which objects to print a sheet of labels for."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from retrace.api.schemas.common import Id, Identifier, RequestModel
from retrace.app.labels import MAX_LABELS, SheetChoice


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

    def choice(self) -> SheetChoice:
        """The use case's request, which checks that exactly one way of choosing is given (for GraphQL too)."""
        return SheetChoice(self.identifiers, self.event_id, self.party_id, self.start, self.end)
