"""How much of each tracked element a flow of mass carries, from a product model's composition or a lot's assay.

Recovery rates per element (battery material recovery: lithium, nickel, cobalt, manganese, copper) and the
recovery of electrode powder are sums of these contents.  The capture rules write the content on every flow record
(``FlowRecord.elements_g``), so a report adds numbers up and never re-reads a composition.

- An **item** carries what its product model's ``composition_g`` says one unit contains.
- A **lot** carries what its assay says (``NewLot.composition_g``); where the assay is silent on an element, the
  standard content of the lot's material in ``RECOVERED_FORMS`` (its form as a recovered product) applies.
- ``electrode_powder`` is not an element: it is the cathode active material plus the anode graphite, the
  "electrode powder" the Chinese battery recycling norms measure recovery of (``ELECTRODE_POWDER_MATERIALS``).

Sources of the fractions are in ``docs/rates.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

TRACKED_ELEMENTS: tuple[str, ...] = ("lithium", "nickel", "cobalt", "manganese", "copper", "electrode_powder")

# Materials of a composition that are electrode powder: the cathode active material (given as its elements, or
# as a whole) and the anode's graphite.
ELECTRODE_POWDER_MATERIALS = frozenset(
    {
        "lithium",
        "nickel",
        "cobalt",
        "manganese",
        "iron",
        "phosphorus",
        "oxygen",
        "graphite",
        "cathode_active_material",
        "anode_active_material",
    }
)

# Standard element content (mass fraction) of materials in the form they leave recovery, by stoichiometry
# (standard atomic weights: H 1.008, O 15.999, S 32.06, Mn 54.938, Co 58.933, Ni 58.693).  The hydrated sulfates are
# the salts as traded and as a refinery weighs them, booked at their physical mass with the reagents (acid, water)
# their transformation declares.  ``nickel_sulfate``, ``cobalt_sulfate`` and ``manganese_sulfate`` keep the
# platform's earlier convention, from before reagents could be recorded: a lot booked by its contained metal.
RECOVERED_FORMS: dict[str, dict[str, Fraction]] = {
    "lithium_carbonate": {"lithium": Fraction(2 * 6940, 73_891)},  # Li2CO3: 2 × 6.940 / 73.891
    "lithium_hydroxide": {"lithium": Fraction(6940, 41_964)},  # LiOH·H2O: 6.940 / 41.964
    "lithium": {"lithium": Fraction(1)},
    "nickel_sulfate_hexahydrate": {"nickel": Fraction(58_693, 262_839)},  # NiSO4·6H2O: 22.33 % Ni
    "cobalt_sulfate_heptahydrate": {"cobalt": Fraction(58_933, 281_094)},  # CoSO4·7H2O: 20.97 % Co
    "manganese_sulfate_monohydrate": {"manganese": Fraction(54_938, 169_009)},  # MnSO4·H2O: 32.51 % Mn
    "nickel_sulfate": {"nickel": Fraction(1)},
    "nickel": {"nickel": Fraction(1)},
    "cobalt_sulfate": {"cobalt": Fraction(1)},
    "cobalt": {"cobalt": Fraction(1)},
    "manganese_sulfate": {"manganese": Fraction(1)},
    "manganese": {"manganese": Fraction(1)},
    "copper": {"copper": Fraction(1)},
    "copper_cathode": {"copper": Fraction(1)},
    "copper_granules": {"copper": Fraction(1)},
    "copper_foil": {"copper": Fraction(1)},
    "black_mass": {"electrode_powder": Fraction(1)},
}


def composition_elements(
    composition: Iterable[tuple[str, int]] | Mapping[str, int], powder_from_parts: bool = True
) -> dict[str, int]:
    """Tracked element grams in a composition.  A product model's lists every material, so its electrode powder
    is the sum of the electrode materials; an assay may list a few elements only (``powder_from_parts=False``):
    its electrode powder is what it states, if it does."""
    pairs = composition.items() if isinstance(composition, Mapping) else composition
    out: dict[str, int] = {}
    powder = 0
    for material, grams in pairs:
        if material in TRACKED_ELEMENTS:
            out[material] = out.get(material, 0) + grams
        if material in ELECTRODE_POWDER_MATERIALS:
            powder += grams
    if powder_from_parts and powder and "electrode_powder" not in out:  # stated, it is not summed again
        out["electrode_powder"] = powder
    return out


def lot_elements(material: str, mass_g: int, assay: Iterable[tuple[str, int]] = ()) -> dict[str, int]:
    """Tracked element grams in a lot of ``material``: the assay where it speaks, the standard content elsewhere."""
    out = composition_elements(assay, powder_from_parts=False)
    for element, fraction in RECOVERED_FORMS.get(material, {}).items():
        if element not in out:
            out[element] = int(mass_g * fraction)
    return out


def as_pairs(elements: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """In ``TRACKED_ELEMENTS`` order, zero entries left out: the form a flow record keeps."""
    return tuple((e, elements[e]) for e in TRACKED_ELEMENTS if elements.get(e))
