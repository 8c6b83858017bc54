"""Use case: register the master data events refer to (parties, licences, sites, product models).

Rules: ids are stable and chosen by the registrant (e.g. a unified social credit code for a party); registering an
id again replaces it (master data is corrected by re-registering, unlike events).  A licence, site or model names a
registered party (PARTY_NOT_FOUND); a licence's ``valid_to`` is not before its ``valid_from`` (VALIDATION_ERROR);
a product model's producer has the producer role (ROLE_MISSING).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from retrace.app.ports import GraphStore
from retrace.domain import errors as codes
from retrace.domain.errors import InvalidInput, NotFound, RuleViolation
from retrace.domain.model import Licence, Party, ProductModel, Role, Site


@dataclass(frozen=True)
class Registration:
    parties: Sequence[Party] = ()
    licences: Sequence[Licence] = ()
    sites: Sequence[Site] = ()
    models: Sequence[ProductModel] = ()


@dataclass
class RegisterMasterData:
    store: GraphStore
    _unused: list[str] = field(default_factory=list, repr=False)

    async def execute(self, request: Registration) -> None:
        known = {p.id: p for p in request.parties}
        named = (
            {lic.party_id for lic in request.licences}
            | {s.party_id for s in request.sites}
            | {m.producer_id for m in request.models}
        )
        missing = sorted(named - known.keys())
        if missing:
            known.update(await self.store.get_parties(missing))
        for i, lic in enumerate(request.licences):
            self._party(known, lic.party_id, f"licences[{i}].party_id")
            if lic.valid_to < lic.valid_from:
                raise InvalidInput(
                    f"licence {lic.number} ends before it starts",
                    code=codes.VALIDATION_ERROR,
                    message_zh="资质有效期结束早于开始",
                    field=f"licences[{i}].valid_to",
                )
        for i, site in enumerate(request.sites):
            self._party(known, site.party_id, f"sites[{i}].party_id")
        for i, model in enumerate(request.models):
            producer = self._party(known, model.producer_id, f"models[{i}].producer_id")
            if Role.PRODUCER not in producer.roles:
                raise RuleViolation(
                    f"{producer.id} is not registered as a producer",
                    code=codes.ROLE_MISSING,
                    message_zh="该主体不是生产者",
                    field=f"models[{i}].producer_id",
                )
        if request.parties:
            await self.store.save_parties(request.parties)
        if request.licences:
            await self.store.save_licences(request.licences)
        if request.sites:
            await self.store.save_sites(request.sites)
        if request.models:
            await self.store.save_models(request.models)

    @staticmethod
    def _party(known: dict[str, Party], party_id: str, field_name: str) -> Party:
        party = known.get(party_id)
        if party is None:
            raise NotFound(
                f"party {party_id!r} is not registered",
                code=codes.PARTY_NOT_FOUND,
                message_zh=f"未登记的主体 {party_id!r}",
                field=field_name,
            )
        return party
