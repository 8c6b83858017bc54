"""``GET /healthz``: is the store reachable, and how much does it hold."""

from __future__ import annotations

from fastapi import APIRouter

from retrace.api.deps import ServicesDep
from retrace.api.errors import error_responses
from retrace.api.schemas.views import HealthResponse
from retrace.domain.errors import StoreUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Health / 健康检查", responses=error_responses(503))
async def healthz(services: ServicesDep) -> HealthResponse:
    """200 when the store answers, with its counts; 503 `STORE_UNAVAILABLE` otherwise."""
    try:
        await services.store.ping()
        counts = await services.store.counts()
    except StoreUnavailable:
        raise
    except Exception as e:  # a health check must say "down", whatever the store's failure looks like
        raise StoreUnavailable(f"the store does not answer: {e}", message_zh="数据库无响应") from e
    return HealthResponse(status="ok", store=services.store_kind, counts=counts)
