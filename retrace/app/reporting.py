"""Use cases: recovery reports against targets, producers' EPR, sites' mass balances, material flows, drill-down.

Rules (the API description of ``/api/v1/reports`` is this docstring):

- A report covers a **scope** (``nation``; a ``province`` by its GB/T 2260 code, ``44`` or ``440000``; a ``party``;
  a ``site``; a ``producer``'s product models; one product ``model``), optionally one **stream** (weee, elv,
  battery), and a **period** of whole calendar months (``from`` and ``to`` as ``YYYY-MM``, both included, China
  Standard Time).  An unknown party, site or model is PARTY_NOT_FOUND, SITE_NOT_FOUND or MODEL_NOT_FOUND.
- Every number is computed from recorded flows, never typed in: from flow aggregates the store keeps current as
  events are captured, so a national report does not scan the events.  Definitions: ``docs/rates.md``.
- Nation, province, party and site are measured on the **sites basis** (treatments at those sites, chained: an
  output treated again inside the scope and period counts once, at the end of its chain); producer and model on
  the **models basis** (the first treatment of their units, by declared fates).
- The targets that apply are those in force during the period, of the report's stream or of all streams; each
  comes with the measured value, the target, the gap and whether it is met; targets per party or per model are
  checked for each party or model in the scope.  Targets the platform cannot measure are listed with the reason;
  targets that do not concern the scope (a stream it recorded no flows of) are listed as not applicable, with the
  reason.
- Producers' EPR (extended producer responsibility) figures cover the producers' product models of the scope:
  every model for the nation, the producer's (or the model) for a producer, model, or a party that is a producer.
  A province, a site or a party that produces nothing has no EPR figures, and its EPR targets are not applicable:
  EPR is a producer's obligation over what it placed on the market nationwide.  Each producer total and product
  line is held to the EPR target in force on the period's last day, with its gap.
- Drill-down: any number (``input``, ``recycled``, ``loss`` …) splits into what each site, party, material, model
  or stream contributed, and each site's share into its flow records, event by event.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrace.app.ports import FlowQuery, FlowRecordKey, FlowRecordQuery, GraphStore
from retrace.domain import errors as codes
from retrace.domain.changes import Direction, FlowRecord
from retrace.domain.errors import InvalidInput, NotFound
from retrace.domain.model import Stream
from retrace.domain.rates.aggregates import FlowAggregate
from retrace.domain.rates.report import (
    Contribution,
    EprLine,
    EprTotals,
    MasterData,
    Measure,
    Period,
    RecoveryReport,
    Sankey,
    Scope,
    ScopeKind,
    SiteLine,
    balance_of,
    carries_epr,
    contributions,
    epr_lines,
    epr_target,
    material_sankey,
    party_flows,
    recovery_report,
    select,
    site_lines,
)
from retrace.domain.rates.targets import Catalogue

EPR_DIRECTIONS = (Direction.COMMISSIONED, Direction.RECEIVED, Direction.CONSUMED)


@dataclass(frozen=True)
class EprReport:
    period: Period
    producer_id: str | None
    lines: list[EprLine]
    by_producer: dict[str, EprTotals]
    by_group: dict[str, EprTotals]
    total: EprTotals


@dataclass
class ReportQueries:
    store: GraphStore
    catalogue: Catalogue
    max_page: int = 1000

    # -- the reports ---------------------------------------------------------------------------------------------

    async def recovery(self, scope: Scope, period: Period) -> RecoveryReport:
        await self._check_scope(scope)
        rows = await self._rows(scope, period)
        epr_rows = await self._epr_rows(period, scope.stream) if await self._carries_epr(scope) else []
        master = await self._master([*rows, *epr_rows], scope)
        return recovery_report(rows, scope, period, master, self.catalogue, epr_rows)

    async def producers(self, period: Period, producer_id: str | None = None) -> EprReport:
        """EPR per producer and product line: units and mass placed on the market, collected, treated and treated
        by a licensed party in the period, and the rate (properly treated over placed units)."""
        if producer_id is not None:
            await self._check_scope(Scope(ScopeKind.PRODUCER, producer_id))
        rows = await self._epr_rows(period, None)
        master = await self._master(rows, None)
        models = (
            frozenset(m.id for m in master.models.values() if m.producer_id == producer_id)
            if producer_id
            else None
        )
        lines = epr_lines(rows, master, self.catalogue, models, period)
        target = epr_target(self.catalogue, period)
        by_producer = {
            p: EprTotals.of((x for x in lines if x.producer_id == p), target)
            for p in sorted({x.producer_id for x in lines})
        }
        by_group = {
            g: EprTotals.of((x for x in lines if x.epr_group == g), target)
            for g in sorted({x.epr_group for x in lines})
        }
        return EprReport(period, producer_id, lines, by_producer, by_group, EprTotals.of(lines, target))

    async def sites(self, scope: Scope, period: Period) -> tuple[MasterData, list[SiteLine]]:
        """Each site of the scope with its own mass balance (its process: what came in, what it made of it)."""
        if scope.kind in (ScopeKind.PRODUCER, ScopeKind.MODEL):
            raise InvalidInput(
                "sites are listed for a nation, province, party or site",
                code=codes.VALIDATION_ERROR,
                message_zh="场地列表仅适用于全国、省、主体或场地范围",
                field="scope",
            )
        await self._check_scope(scope)
        rows = await self._rows(scope, period)
        monthly = await self._rows(scope, period, directions=(Direction.CONSUMED,), by_month=True)
        master = await self._master(rows, scope)
        return master, site_lines(rows, select(scope, master), period, master, monthly)

    async def flows(self, scope: Scope, period: Period, view: str) -> Sankey:
        """``materials``: streams → material classes → fates; ``roles`` or ``parties``: mass received by each
        (group of) parties from each other."""
        if view not in ("materials", "roles", "parties"):
            raise InvalidInput(
                "view is materials, roles or parties",
                code=codes.VALIDATION_ERROR,
                message_zh="视图应为 materials、roles 或 parties",
                field="view",
            )
        await self._check_scope(scope)
        rows = await self._rows(scope, period)
        master = await self._master(rows, scope)
        selection = select(scope, master)
        if view == "materials":
            balance = balance_of(rows, selection, period, scope.stream)
            return material_sankey(balance, self.catalogue)
        kept = [
            r
            for r in rows
            if (selection.sites is None or r.site_id in selection.sites)
            and (selection.models is None or r.model_id in selection.models)
        ]
        return party_flows(kept, master, by_party=view == "parties")

    async def drill(
        self, scope: Scope, period: Period, what: Measure, by: str, fate: str | None = None
    ) -> tuple[MasterData, list[Contribution]]:
        await self._check_scope(scope)
        rows = await self._rows(scope, period)
        master = await self._master(rows, scope)
        balance = balance_of(rows, select(scope, master), period, scope.stream)
        return master, contributions(balance, what, by, master, fate)

    async def records(
        self, query: FlowRecordQuery, limit: int = 100, after: FlowRecordKey | None = None
    ) -> list[FlowRecord]:
        """The flow records (one per object and event) a site's numbers are sums of."""
        if not 1 <= limit <= self.max_page:
            raise InvalidInput(
                f"limit must be between 1 and {self.max_page}",
                code=codes.VALIDATION_ERROR,
                message_zh=f"每页数量须在 1 到 {self.max_page} 之间",
                field="limit",
            )
        await self._check_scope(Scope(ScopeKind.SITE, query.site_id))
        return await self.store.flow_records(query, limit, after)

    async def names(self, report: EprReport) -> MasterData:
        """The parties and models an EPR report names (for display)."""
        models = await self.store.get_models(sorted({x.model_id for x in report.lines}))
        parties = await self.store.get_parties(sorted({x.producer_id for x in report.lines}))
        return MasterData(parties=parties, models=models)

    async def scope_names(self, scope: Scope) -> tuple[str, str]:
        master = await self._master([], scope)
        if scope.kind is ScopeKind.PARTY and scope.id in master.parties:
            return master.party_name(scope.id or "")
        selection = select(scope, master)
        return selection.name, selection.name_zh

    # -- plumbing ------------------------------------------------------------------------------------------------

    async def _check_scope(self, scope: Scope) -> None:
        key = scope.id or ""
        if scope.kind in (ScopeKind.PARTY, ScopeKind.PRODUCER) and key not in await self.store.get_parties(
            [key]
        ):
            raise NotFound(
                f"party {key!r} is not registered",
                code=codes.PARTY_NOT_FOUND,
                message_zh=f"未登记的主体 {key!r}",
                field="id",
            )
        if scope.kind is ScopeKind.SITE and key not in await self.store.get_sites([key]):
            raise NotFound(
                f"site {key!r} is not registered",
                code=codes.SITE_NOT_FOUND,
                message_zh=f"未登记的场地 {key!r}",
                field="id",
            )
        if scope.kind is ScopeKind.MODEL and key not in await self.store.get_models([key]):
            raise NotFound(
                f"product model {key!r} is not registered",
                code=codes.MODEL_NOT_FOUND,
                message_zh=f"未登记的产品型号 {key!r}",
                field="id",
            )

    async def _rows(
        self,
        scope: Scope,
        period: Period,
        directions: tuple[Direction, ...] | None = None,
        by_month: bool = False,
    ) -> list[FlowAggregate]:
        """The aggregates a scope needs: its own site's or party's when that narrows them, else all."""
        query = FlowQuery(
            period.start,
            period.end,
            site_ids=(scope.id or "",) if scope.kind is ScopeKind.SITE else None,
            party_ids=(scope.id or "",) if scope.kind is ScopeKind.PARTY else None,
            streams=(scope.stream,) if scope.stream else None,
            directions=directions,
            by_month=by_month,
        )
        return await self.store.flow_aggregates(query)

    async def _carries_epr(self, scope: Scope) -> bool:
        """Whether a report of the scope has EPR figures (``epr_models``): not for a province, a site, or a party
        that produces nothing, so their rows are not fetched."""
        parties = (
            await self.store.get_parties([scope.id]) if scope.kind is ScopeKind.PARTY and scope.id else {}
        )
        return carries_epr(scope, MasterData(parties=parties))

    async def _epr_rows(self, period: Period, stream: Stream | None) -> list[FlowAggregate]:
        return await self.store.flow_aggregates(
            FlowQuery(
                period.start,
                period.end,
                streams=(stream,) if stream else None,
                directions=EPR_DIRECTIONS,
                by_month=True,
            )
        )

    async def _master(self, rows: list[FlowAggregate], scope: Scope | None) -> MasterData:
        """The master data the rows name (and the scope's own)."""
        site_ids = {r.site_id for r in rows} | {r.origin_site_id for r in rows if r.origin_site_id}
        model_ids = {r.model_id for r in rows if r.model_id}
        party_ids = {r.party_id for r in rows} | {r.counterparty_id for r in rows if r.counterparty_id}
        if scope is not None and scope.id:
            if scope.kind is ScopeKind.SITE:
                site_ids.add(scope.id)
            elif scope.kind in (ScopeKind.PARTY, ScopeKind.PRODUCER):
                party_ids.add(scope.id)
            elif scope.kind is ScopeKind.MODEL:
                model_ids.add(scope.id)
        sites = await self.store.get_sites(sorted(site_ids))
        models = await self.store.get_models(sorted(model_ids))
        party_ids |= {s.party_id for s in sites.values()} | {m.producer_id for m in models.values()}
        parties = await self.store.get_parties(sorted(party_ids))
        licences = await self.store.get_licences(sorted(parties))
        return MasterData(parties=parties, sites=sites, models=models, licences=licences)
