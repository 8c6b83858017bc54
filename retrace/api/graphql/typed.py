"""Strawberry's decorators with their types kept: ``strawberry.field(description=…)`` is typed as returning ``Any``,
which would make every resolver untyped for mypy.  These wrappers change nothing at run time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def field(*, description: str, name: str | None = None) -> Callable[[F], F]:
    """A resolver field, described."""
    return cast("Callable[[F], F]", strawberry.field(description=description, name=name))


def mutation(*, description: str) -> Callable[[F], F]:
    """A mutation, described."""
    return cast("Callable[[F], F]", strawberry.mutation(description=description))


def subscription(*, description: str) -> Callable[[F], F]:
    """A subscription, described."""
    return cast("Callable[[F], F]", strawberry.subscription(description=description))
