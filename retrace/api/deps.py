"""Dependencies of the routes, as ``Annotated`` aliases: a route names what it needs, never how it is built."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from retrace.app.capture import CaptureEvents
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.bootstrap import Services
from retrace.domain.errors import StoreUnavailable


def get_services(request: Request) -> Services:
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:  # the lifespan did not run (or failed): say so instead of an AttributeError
        raise StoreUnavailable(
            "the store is not open yet; retry in a moment", message_zh="数据库尚未打开，请稍后重试"
        )
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_capture(services: ServicesDep) -> CaptureEvents:
    return services.capture


def get_registry(services: ServicesDep) -> RegisterMasterData:
    return services.registry


def get_trace(services: ServicesDep) -> TraceQueries:
    return services.trace


CaptureDep = Annotated[CaptureEvents, Depends(get_capture)]
RegistryDep = Annotated[RegisterMasterData, Depends(get_registry)]
TraceDep = Annotated[TraceQueries, Depends(get_trace)]
