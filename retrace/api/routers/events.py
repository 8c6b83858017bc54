"""``POST /api/v1/events``: capture a batch of events (scanners, gateways, integrations)."""

from __future__ import annotations

import inspect

from fastapi import APIRouter, Response

from retrace.api.deps import CaptureDep
from retrace.api.errors import error_responses
from retrace.api.schemas.events import CaptureRequest
from retrace.api.schemas.views import CaptureResponse
from retrace.app import capture as capture_use_case

router = APIRouter(prefix="/api/v1/events", tags=["capture"])


@router.post(
    "",
    status_code=201,
    summary="Capture a batch of events / 批量采集事件",
    description=inspect.cleandoc(capture_use_case.__doc__ or ""),
    responses={
        200: {
            "model": CaptureResponse,
            "description": "Every event was already recorded (a replay); nothing new.",
        },
        201: {"description": "At least one event was recorded."},
        **error_responses(404, 409, 413, 422, 503),
    },
)
async def capture_events(body: CaptureRequest, capture: CaptureDep, response: Response) -> CaptureResponse:
    result = await capture.execute(body.to_domain())
    if result.created == 0:
        response.status_code = 200
    return CaptureResponse.of(result)
