"""Identifiers for demo and synthetic data, in the forms real labels carry.

- GS1 Digital Link URIs (QR labels) with GTINs under the GS1 demonstration prefix 952, and the same units as
  SGTIN-96 (RFID tags) and EPC URNs: all three share one key, so any of them finds the unit.
- VINs (ISO 3779) with the check digit computed by ``retrace.domain.identifiers.vin_check_digit``.
- GB/T 34014-2017 battery codes: manufacturer (3) + product type P/M/C (1) + battery type (1) + specification (2)
  + traceability information (7) + production date (3) + serial (7).
- Internal codes (collectors' intake labels, part tags, material lots) always contain a ``-``, so they can never
  be mistaken for a VIN or a battery code.

``Codes`` hands out fresh identifiers.  The demo and each synthetic seed draw from separate number spaces, so the
demo and one synthetic data set can share a store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from epcpy.epc_schemes import SGTIN
from epcpy.epc_schemes.sgtin import SGTINFilterValue

from retrace.demo.catalogue import GS1_PREFIX, SPECS
from retrace.domain.identifiers import vin_check_digit

CST = timezone(timedelta(hours=8))
RESOLVER = "https://id.retrace.example"

# Model-year codes of ISO 3779 / GB 16735 (no I, O, Q, U, Z, 0); the demo assumes GB/T 34014 uses the same year
# codes (see docs/demo-data.md).
_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 2010 …
_MONTHS = "123456789ABC"
_DAYS = "123456789ABCDEFGHJKLMNPRSTUVWXY"
_BASE33 = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"[:33]


def year_code(year: int) -> str:
    return _YEARS[(year - 2010) % len(_YEARS)]


def date_code(day: date) -> str:
    return year_code(day.year) + _MONTHS[day.month - 1] + _DAYS[day.day - 1]


def digital_link(gtin14: str, serial: str) -> str:
    return f"{RESOLVER}/01/{gtin14}/21/{serial}"


def sgtin_urn(company_prefix: str, item_ref: str, serial: int) -> str:
    return f"urn:epc:id:sgtin:{company_prefix}.0{item_ref}.{serial}"


def sgtin96_hex(urn: str) -> str:
    """The SGTIN-96 an RFID tag of ``urn`` carries (filter value 1: point-of-sale item)."""
    return str(
        SGTIN(urn).hex(
            binary_coding_scheme=SGTIN.BinaryCodingScheme.SGTIN_96, filter_value=SGTINFilterValue.POS_ITEM
        )
    )


def make_vin(wmi: str, vds: str, year: int, plant: str, serial: int) -> str:
    body = f"{wmi}{vds}0{year_code(year)}{plant}{serial:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def battery_code(
    maker: str, product: str, chemistry: str, spec: str, trace: str, day: date, serial: int
) -> str:
    code = f"{maker}{product}{chemistry}{spec}{trace}{date_code(day)}{serial:07d}"
    if len(code) != 24:
        raise ValueError(f"battery code {code!r} has {len(code)} characters")
    return code


def _base33(n: int, width: int) -> str:
    out = ""
    for _ in range(width):
        n, r = divmod(n, 33)
        out = _BASE33[r] + out
    return out


# Short party codes used in internal codes (lot numbers, part tags, intake labels).
SHORT = {
    "lvyuan-collection": "LVY",
    "xingsha-collection": "XSH",
    "tianfu-collection": "TFU",
    "xihu-collection": "XHU",
    "huanan-weee": "HNW",
    "xiangjiang-weee": "XJW",
    "shudu-weee": "SDW",
    "qiantang-weee": "QTW",
    "suzhou-elv": "SZE",
    "pengcheng-elv": "PCE",
    "xiangxun-battery": "XXB",
    "hongda-battery": "HDB",
    "changzhou-cascade": "CZC",
    "ganzhou-lithium": "GZL",
    "hangzhou-reman": "HZR",
    "huagang-steel": "HGS",
    "qingyuan-copper": "QYC",
    "yongxin-plastics": "YXP",
    "chenzhou-smelting": "CZS",
    "chaoyang-metals": "CYM",
}
_MATERIAL = {
    "ferrous": "FE",
    "aluminium": "AL",
    "copper": "CU",
    "cables": "CAB",
    "pcb": "PCB",
    "plastics": "PL",
    "panel_glass": "PGL",
    "funnel_glass": "FGL",
    "lcd_panel": "LCD",
    "ccfl_lamps": "CCFL",
    "glass": "GL",
    "pu_foam": "PUF",
    "refrigerant": "REF",
    "compressor_oil": "OIL",
    "concrete": "CON",
    "rubber": "RUB",
    "li_ion_battery": "LIB",
    "hdd": "HDD",
    "tyres": "TYR",
    "fluids": "FLU",
    "lead_acid_battery": "PBB",
    "catalytic_converter": "CAT",
    "vehicle_hulk": "HULK",
    "other": "OTH",
    "coolant": "COOL",
    "black_mass": "BM",
    "lithium_carbonate": "LC",
    "nickel_sulfate_hexahydrate": "NS",
    "cobalt_sulfate_heptahydrate": "CS",
    "manganese_sulfate_monohydrate": "MS",
    "iron_phosphate": "FP",
    "leach_residue": "LR",
    "crude_steel": "CST",
    "steel_slag": "SLG",
    "asr": "ASR",
    "nonferrous_mix": "NFM",
    "copper_cathode": "CUC",
    "copper_slag": "CSL",
    "cable_plastics": "CPL",
    "precious_metals": "PM",
    "aluminium_ingot": "ALI",
    "dross": "DRS",
    "ferrous_scrap": "FES",
    "pgm_concentrate": "PGM",
    "recycled_pellets": "PEL",
    "plastic_residue": "PLR",
    "lead_bullion": "PB",
    "glass_slag": "GSL",
    "glass_cullet": "CUL",
    "polypropylene": "PP",
    "copper_granules": "CUG",
}
_PART = {
    "compressor": "CMP",
    "motor": "MOT",
    "engine": "ENG",
    "transmission": "GBX",
    "electric_drive_unit": "EDU",
}


@dataclass
class Codes:
    """Fresh identifiers; ``seed`` None for the demo, else the synthetic data set's seed (below 1000)."""

    seed: int | None = None
    _counters: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        if self.seed is not None and not 0 <= self.seed < 1000:
            raise ValueError("synthetic seeds are 0 to 999")

    def _next(self, key: str) -> int:
        self._counters[key] += 1
        return self._counters[key]

    @property
    def _ns(self) -> str:
        return "" if self.seed is None else f"S{self.seed}-"

    # -- GS1 --------------------------------------------------------------------------------------------------

    def gs1_serial(self, producer: str, day: date) -> int:
        """A numeric serial (SGTIN-96 needs one below 2**38): yymmdd + a 5-digit daily count for the demo;
        10**11 + seed·10**8 + a running count for synthetic data, so the spaces never meet."""
        if self.seed is None:
            n = self._next(f"gs1:{producer}:{day.isoformat()}")
            return int(day.strftime("%y%m%d")) * 100_000 + n
        return 100_000_000_000 + self.seed * 100_000_000 + self._next(f"gs1:{producer}")

    def appliance(self, model_id: str, day: date, rfid: bool) -> tuple[str, ...]:
        """Identifiers printed/encoded on a new unit: its Digital Link, and with ``rfid`` its SGTIN-96 tag and
        EPC URN as well (all three denote the same unit)."""
        spec = SPECS[model_id]
        gtin = spec.gtin
        if gtin is None or spec.item_ref is None:
            raise ValueError(f"{model_id} has no GTIN")
        serial = self.gs1_serial(spec.producer, day)
        link = digital_link(gtin, str(serial))
        if not rfid:
            return (link,)
        urn = sgtin_urn(GS1_PREFIX[spec.producer], spec.item_ref, serial)
        return (link, sgtin96_hex(urn), urn)

    # -- vehicles and batteries ---------------------------------------------------------------------------------

    def vin(self, model_id: str, year: int) -> str:
        """Jiangnan Motor VINs: WMI ``LJN`` (demo) or ``LJS`` (synthetic); VDS by model; plant S (Suzhou)."""
        if year < 2009:
            raise ValueError("model years before 2009 are not used")
        vds = {"jn-sedan-16": "A16C4", "jn-ev-ncm": "E52N1", "jn-ev-lfp": "E49L1"}[model_id]
        n = self._next(f"vin:{model_id}:{year}")
        if self.seed is None:
            return make_vin("LJN", vds, year, "S", n)
        # Synthetic: the seed replaces the last two VDS characters and the count's high part the plant code, so
        # 33 million cars per model and year stay unique, and seeds do not meet.
        high, low = divmod(n, 1_000_000)
        return make_vin("LJS", vds[:3] + _base33(self.seed, 2), year, _base33(high, 1), low)

    def battery(self, model_id: str, day: date) -> str:
        spec = SPECS[model_id]
        product = {"cell": "C", "module": "M", "pack": "P", "ess": "P"}[spec.category.rsplit("_", 1)[-1]]
        chemistry = "E" if "ncm" in spec.category else "B"  # E: ternary (NCM), B: lithium iron phosphate
        if spec.producer == "changzhou-cascade":
            maker, spec_code = ("CZT" if self.seed is None else "CZX"), "S1"
        else:
            maker, spec_code = ("SLB" if self.seed is None else "SLX"), ("N1" if chemistry == "E" else "L1")
        n = self._next(f"bat:{maker}:{product}:{chemistry}")
        high, low = divmod(n, 10_000_000)
        trace = ("YB" if maker.startswith("SL") else "WJ") + f"{(self.seed or 0):03d}"[-3:] + _base33(high, 2)
        return battery_code(maker, product, chemistry, spec_code, trace, day, low)

    # -- internal codes ----------------------------------------------------------------------------------------

    def intake(self, collector: str, day: date) -> str:
        """A collector's intake label for a unit sold before the platform existed."""
        n = self._next(f"intake:{collector}")
        return f"{SHORT[collector]}-{self._ns}{day:%y}{n:06d}"

    def part(self, party: str, category: str, day: date) -> str:
        n = self._next(f"part:{party}")
        return f"{SHORT[party]}-{self._ns}{_PART[category]}-{day:%y%m}-{n:05d}"

    def lot(self, party: str, material: str, when: datetime) -> str:
        n = self._next(f"lot:{party}")
        return f"{SHORT[party]}-{self._ns}{when:%y%m}-{_MATERIAL.get(material, material[:4].upper())}-{n:05d}"
