"""Chains for reagents, mixed streams and cascade reuse (docs/rates.md), shared by the ledger, rates and contract
tests.  Every number the tests expect is worked out in the comments here."""

from __future__ import annotations

import dataclasses

from retrace.app.registry import Registration
from retrace.domain.events import Event, NewItem, NewLot, Remanufacture, Transform
from retrace.domain.model import Fate, ProductModel, Stream
from tests.rates.support import JAN, at, commission, disassemble, lot, move, registration, transform
from tests.rates.test_formulas import PACK_CODE, battery_chain, car_chain

# -- a refinery that adds reagents ----------------------------------------------------------------------------------
#
# The 200 kg pack of ``battery_chain`` becomes 80 kg of black mass (and 19 kg copper, 58 kg aluminium foil); the
# refiner leaches the black mass with 75 kg of acid, water and soda ash into salts at their physical (hydrated) mass:
# 128.7 kg out of 80 kg in, allowed because 128.7 ≤ (80 + 75) × 1.02 = 158.1.  The reagents go to the recycled
# outputs (108.7 kg) in proportion to their mass (largest remainder): 9,660 / 35,534 / 15,800 / 14,006 g.

REAGENTS_G = 75_000
SALTS: tuple[NewLot, ...] = (
    lot("LC-1", "lithium_carbonate", 14_000),  # 2,629 g Li (18.786 %)
    lot("NS-1", "nickel_sulfate_hexahydrate", 51_500),  # 11,500 g Ni (22.330 %)
    lot("CS-1", "cobalt_sulfate_heptahydrate", 22_900),  # 4,801 g Co (20.966 %)
    lot("MS-1", "manganese_sulfate_monohydrate", 20_300),  # 6,598 g Mn (32.506 %)
    lot("RES-1", "leach_residue", 20_000, Fate.DISPOSAL),
)
SALTS_G = 128_700
RECYCLED_SALTS_G = 108_700
SALT_REAGENTS = {"LC-1": 9_660, "NS-1": 35_534, "CS-1": 15_800, "MS-1": 14_006, "RES-1": 0}
FOILS_G = 19_000 + 58_000


def refinery_chain(reagents_g: int | None = REAGENTS_G) -> list[Event]:
    """``battery_chain`` with the refinery booking hydrated salts and declaring its reagents."""
    *before, _ = battery_chain()
    return [*before, Transform("t-bm", at(JAN, 96), "site-refiner", "refiner", inputs=("BM-1",), outputs=SALTS,
                               reagents_g=reagents_g)]  # fmt: skip


# -- one batch of copper from two streams ---------------------------------------------------------------------------
#
# The car's 9.5 kg copper lot (ELV) and the pack's 19 kg copper foil (batteries) are smelted together into a 27 kg
# cathode and 1.5 kg slag.  Input by stream: 19,000 g batteries, 9,500 g ELV: two thirds and one third, so the
# cathode counts 18,000 g for batteries and 9,000 g for ELV, the slag 1,000 g and 500 g.  The lots are named by the
# stream with more input (batteries).

MIXED_INPUT = (("battery", 19_000), ("elv", 9_500))


def mixed_chain() -> list[Event]:
    pack = [dataclasses.replace(e, event_id=f"b-{e.event_id}") for e in battery_chain()[:4]]
    return [
        *car_chain(),
        *pack,
        *move("mx-cu", at(JAN, 100), "dismantler", "shredder", "CU-1"),
        *move("mx-foil", at(JAN, 100), "batt", "shredder", "FOIL-CU-1"),
        transform("t-mix", at(JAN, 110), "shredder", ["CU-1", "FOIL-CU-1"],
                  lot("CUC-1", "copper_cathode", 27_000), lot("CSL-1", "copper_slag", 1_500, Fate.DISPOSAL)),
    ]  # fmt: skip


# -- battery modules put to a second use ----------------------------------------------------------------------------
#
# The pack is opened into four 20 kg modules (no fate yet: awaiting treatment) and 100 kg of steel hardware; the
# plant then tests the modules and puts them into energy storage (remanufacture with fate reuse): 80 kg reuse,
# 100 kg recycling, 20 kg loss, out of 200 kg treated.

MODULE_G = 20_000
MODULE = {"lithium": 300, "nickel": 1_200, "cobalt": 500, "manganese": 700, "copper": 1_500}
MODULES = tuple(f"MOD-{i}" for i in range(1, 5))


def registration_with_modules() -> Registration:
    reg = registration()
    module = ProductModel("module", "maker", Stream.BATTERY, "ncm_module", "NCM module", MODULE_G, MODULE)
    return dataclasses.replace(reg, models=[*reg.models, module])


def cascade_chain(reused: bool = True, pack: str = PACK_CODE) -> list[Event]:
    events: list[Event] = [
        commission("k-pack", JAN, "maker", pack, "pack"),
        *move("k-m1", at(JAN, 1), "maker", "batt", pack),  # a spare pack, straight from its maker
        disassemble("k-open", at(JAN, 24), "batt", pack, lot("HW-1", "steel", 100_000),
                    parts=[NewItem((code,), "module", MODULE_G) for code in MODULES]),
    ]  # fmt: skip
    if reused:
        events.append(
            Remanufacture("k-reuse", at(JAN, 72), "site-batt", "batt", objects=MODULES, fate=Fate.REUSE)
        )
    return events
