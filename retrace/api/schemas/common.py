"""Field types shared by the request and response bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer


def _kg_number(value: Decimal) -> float:
    return float(value)


# Kilograms at the edge, whole grams inside: read as a decimal (no binary rounding of what a scale printed),
# written back as a JSON number.
MassKg = Annotated[
    Decimal,
    Field(
        ge=0,
        le=10_000_000,
        description="Mass in kilograms (up to 3 decimals are kept: whole grams).",
        examples=[12.5],
    ),
    PlainSerializer(_kg_number, return_type=float, when_used="json"),
]

# Responses: the same, unconstrained (a period's flow total may be negative after a correction).
MassKgOut = Annotated[
    Decimal,
    Field(description="Mass in kilograms.", examples=[12.5]),
    PlainSerializer(_kg_number, return_type=float, when_used="json"),
]

Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=512,
        description="Any identifier of an object: GS1 Digital Link URI, `urn:epc:id:sgtin:…`, SGTIN-96 hex, "
        "GB/T 34014 battery code (24 characters), VIN (17), or an internal code (`internal:` prefix optional).",
        examples=["https://id.gs1.org/01/06941234500017/21/TV0001", "LFV2A21K0D4010942"],
    ),
]

Id = Annotated[str, Field(min_length=1, max_length=128)]


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields: a misspelt ``mass_g`` must not silently become the nominal mass."""

    model_config = ConfigDict(extra="forbid")
