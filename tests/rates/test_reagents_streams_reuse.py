"""Rates with reagents, with a batch of several streams and with cascade reuse, computed by hand (docs/rates.md;
the chains and their numbers are in tests/rates/chains.py)."""

from __future__ import annotations

from fractions import Fraction

from retrace.app.registry import Registration
from retrace.domain.events import Dispose, Event
from retrace.domain.model import Stream
from retrace.domain.rates.aggregates import month_of
from retrace.domain.rates.balance import Figures
from retrace.domain.rates.materials import lot_elements
from retrace.domain.rates.report import (
    Measure,
    Period,
    Scope,
    ScopeKind,
    balance_of,
    class_mass,
    contributions,
    material_sankey,
    recovery_report,
    select,
    site_lines,
)
from retrace.targets import load_catalogue
from tests.rates.chains import (
    FOILS_G,
    MODULE,
    MODULE_G,
    REAGENTS_G,
    RECYCLED_SALTS_G,
    SALT_REAGENTS,
    cascade_chain,
    mixed_chain,
    refinery_chain,
    registration_with_modules,
)
from tests.rates.support import CAR_G, FEB, PACK, PACK_G, at, master, replay, rows
from tests.rates.test_formulas import LOSS, RECYCLED

YEAR = Period("2026-01", "2026-12")


def figures(events: list[Event], kind: ScopeKind = ScopeKind.NATION, key: str | None = None,
            stream: Stream | None = None, reg: Registration | None = None) -> Figures:  # fmt: skip
    found = rows(f for f in replay(events, reg).flows if YEAR.contains(month_of(f.event_time)))
    return balance_of(found, select(Scope(kind, key, stream), master(reg)), YEAR, stream).figures


# -- reagents ---------------------------------------------------------------------------------------------------------

TRACED_SALTS_G = RECYCLED_SALTS_G - REAGENTS_G  # 33,700 g of the black mass in the products


def test_the_refinery_counts_what_it_made_of_the_black_mass_not_the_reagents() -> None:
    refinery = figures(refinery_chain(), ScopeKind.SITE, "site-refiner")
    assert refinery.input.mass_g == refinery.treated_g == 80_000
    assert refinery.recycled_g == TRACED_SALTS_G == 33_700
    assert refinery.fate_g("disposal") == 20_000
    assert refinery.loss_g == 80_000 - 33_700 - 20_000 == 26_300
    assert refinery.recycling_rate == Fraction(33_700, 80_000)  # 42.1 %, not 135.9 % (108.7 / 80)
    assert refinery.reagents.mass_g == REAGENTS_G


def test_the_nation_counts_the_chain_without_reagents() -> None:
    nation = figures(refinery_chain())
    assert nation.treated_g == PACK_G
    assert nation.recycled_g == FOILS_G + TRACED_SALTS_G == 110_700
    assert nation.recycling_rate == Fraction(110_700, PACK_G)
    assert nation.loss_g == PACK_G - 110_700 - 20_000 == 69_300
    assert nation.final_g + nation.loss_g == nation.treated_g


def test_element_recovery_reads_the_metal_in_the_hydrated_salts() -> None:
    # No assay on the salts: their standard content, by stoichiometry.
    assert lot_elements("nickel_sulfate_hexahydrate", 51_500) == {"nickel": 11_500}
    assert lot_elements("cobalt_sulfate_heptahydrate", 22_900) == {"cobalt": 4_801}
    assert lot_elements("manganese_sulfate_monohydrate", 20_300) == {"manganese": 6_598}
    nation = figures(refinery_chain()).elements
    assert nation["nickel"].rate == Fraction(11_500, PACK["nickel"])
    assert nation["cobalt"].rate == Fraction(4_801, PACK["cobalt"])
    assert nation["manganese"].rate == Fraction(6_598, PACK["manganese"])
    assert nation["lithium"].rate == Fraction(2_629, PACK["lithium"])
    refinery = figures(refinery_chain(), ScopeKind.PARTY, "refiner").elements
    assert refinery["nickel"].rate == Fraction(11_500, 11_800)  # from the black mass's assay


def test_physical_masses_by_material_and_class_include_the_reagents() -> None:
    found = rows(replay(refinery_chain()).flows)
    report = recovery_report(found, Scope(ScopeKind.NATION), YEAR, master(), load_catalogue())
    made = {line.material: line.mass_g for line in report.materials}
    assert made["nickel_sulfate_hexahydrate"] == 51_500 and made["lithium_carbonate"] == 14_000
    balance = balance_of(found, select(Scope(ScopeKind.NATION), master()), YEAR)
    salts_nonferrous = (
        14_000 * Fraction("0.18786") + 51_500 * Fraction("0.22330")
        + 22_900 * Fraction("0.20966") + 20_300 * Fraction("0.32506")
    )  # fmt: skip
    catalogue = load_catalogue()
    assert class_mass(balance, catalogue, "nonferrous", {"recycling"}) == salts_nonferrous + 19_000 + 58_000
    assert class_mass(balance, catalogue, "all", {"recycling"}) == 110_700  # the mass rates' recycled mass


def test_the_sankey_brings_reagents_in_from_their_own_node() -> None:
    found = rows(replay(refinery_chain()).flows)
    sankey = material_sankey(
        balance_of(found, select(Scope(ScopeKind.NATION), master()), YEAR), load_catalogue()
    )
    into: dict[str, int] = {}
    out: dict[str, int] = {}
    for link in sankey.links:
        out[link.source] = out.get(link.source, 0) + link.mass_g
        into[link.target] = into.get(link.target, 0) + link.mass_g
    assert abs(out["reagents"] - REAGENTS_G) <= 2  # whole grams per link
    assert abs(out["stream:battery"] - PACK_G) <= 4  # treated mass: outputs without reagents, and loss
    assert "reagents" in {n.id for n in sankey.nodes}


def test_a_refinery_with_reagents_is_no_finding() -> None:
    found = rows(replay(refinery_chain()).flows)
    lines = site_lines(found, select(Scope(ScopeKind.NATION), master()), YEAR, master())
    (refinery,) = [s for s in lines if s.site_id == "site-refiner"]
    assert refinery.flags == ()


def test_drill_down_adds_up_without_reagents() -> None:
    found = rows(replay(refinery_chain()).flows)
    balance = balance_of(found, select(Scope(ScopeKind.NATION), master()), YEAR)
    by_material = {c.key: c.mass_g for c in contributions(balance, Measure.RECYCLED, "material", master())}
    assert sum(by_material.values()) == 110_700
    assert by_material["nickel_sulfate_hexahydrate"] == 51_500 - SALT_REAGENTS["NS-1"]


def test_a_disposed_salt_moves_only_its_traced_mass() -> None:
    # MS-1 (20.3 kg, 14,006 g of it reagent) is landfilled after all.
    events = [*refinery_chain(), Dispose("x-ms", at(FEB, 1), "site-refiner", "refiner", objects=("MS-1",))]
    nation = figures(events)
    traced = 20_300 - SALT_REAGENTS["MS-1"]
    assert nation.recycled_g == 110_700 - traced
    assert nation.fate_g("disposal") == 20_000 + traced
    assert nation.treated_g == PACK_G and nation.reagents.mass_g == REAGENTS_G


def test_reagents_never_lift_a_rate_above_its_input() -> None:
    for kind, key in [
        (ScopeKind.NATION, None),
        (ScopeKind.SITE, "site-refiner"),
        (ScopeKind.PARTY, "refiner"),
    ]:
        f = figures(refinery_chain(), kind, key)
        assert f.final_g <= f.treated_g and f.recovery_rate is not None and f.recovery_rate <= 1


# -- one batch, several streams ---------------------------------------------------------------------------------------


def test_each_stream_gets_its_share_of_a_mixed_batch() -> None:
    events = mixed_chain()
    elv = figures(events, stream=Stream.ELV)
    assert elv.treated_g == CAR_G
    assert elv.recycled_g == RECYCLED - 9_500 + 9_000  # its copper lot smelted; a third of the cathode
    assert elv.fate_g("disposal") == 29_000 + 500
    assert elv.loss_g == LOSS + 9_500 - 9_000 - 500
    battery = figures(events, stream=Stream.BATTERY)
    assert battery.treated_g == PACK_G
    assert battery.recycled_g == 80_000 + 19_000 + 58_000 - 19_000 + 18_000  # two thirds of the cathode
    assert battery.fate_g("disposal") == 1_000
    assert battery.elements["copper"].recovered_g == 18_000
    both = figures(events)
    assert both.recycled_g == elv.recycled_g + battery.recycled_g
    assert both.treated_g == elv.treated_g + battery.treated_g


def test_the_smelter_of_a_mixed_batch_has_one_balance_per_stream() -> None:
    events = mixed_chain()
    smelter = {s: figures(events, ScopeKind.SITE, "site-shredder", s) for s in (Stream.ELV, Stream.BATTERY)}
    assert smelter[Stream.ELV].input.mass_g == 9_500 and smelter[Stream.ELV].recycled_g == 9_000
    assert smelter[Stream.BATTERY].input.mass_g == 19_000 and smelter[Stream.BATTERY].recycled_g == 18_000


# -- cascade reuse -----------------------------------------------------------------------------------------------------

REG = registration_with_modules()


def test_modules_put_to_a_second_use_count_as_reuse() -> None:
    f = figures(cascade_chain(), reg=REG)
    assert f.pending.mass_g == 0  # no longer awaiting treatment
    assert f.fate_g("reuse") == 4 * MODULE_G == 80_000
    assert f.treated_g == PACK_G
    assert f.recycled_g == 80_000 + 100_000
    assert f.recycling_rate == Fraction(180_000, PACK_G)  # 90 %
    assert f.loss_g == 20_000


def test_before_the_second_use_the_modules_await_treatment() -> None:
    f = figures(cascade_chain(reused=False), reg=REG)
    assert f.pending.mass_g == 80_000 and f.treated_g == PACK_G - 80_000
    assert f.recycling_rate == Fraction(100_000, 120_000)


def test_reused_modules_never_enter_element_recovery() -> None:
    lithium = figures(cascade_chain(), reg=REG).elements["lithium"]
    # What a recycling process could recover: the pack's lithium less the lithium of the reused modules.
    assert lithium.input_g == PACK["lithium"] - 4 * MODULE["lithium"] == 1_800
    assert lithium.recovered_g == 0
