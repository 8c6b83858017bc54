"""``POST /api/v1/registry``: register or replace parties, licences, sites and product models."""

from __future__ import annotations

import inspect

from fastapi import APIRouter

from retrace.api.deps import RegistryDep
from retrace.api.errors import error_responses
from retrace.api.schemas.registry import RegistrationRequest
from retrace.api.schemas.views import RegistrationResponse
from retrace.app import registry as registry_use_case

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])


@router.post(
    "",
    summary="Register master data / 登记主数据",
    description=inspect.cleandoc(registry_use_case.__doc__ or ""),
    responses=error_responses(404, 413, 422, 503),
)
async def register(body: RegistrationRequest, registry: RegistryDep) -> RegistrationResponse:
    request = body.to_domain()
    await registry.execute(request)
    return RegistrationResponse(
        parties=len(request.parties),
        licences=len(request.licences),
        sites=len(request.sites),
        models=len(request.models),
    )
