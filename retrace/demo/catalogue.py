"""The cast and the catalogue of the demo world: parties, licences, sites, product models and how things come apart.

Every party is fictional; region codes are real GB/T 2260 codes.  Masses are whole grams.  Where a figure comes
from, and which figures are assumed or rounded, is written down in ``docs/demo-data.md``; the comments here say only
what a reader of the code needs.

Shares (``float``) are fractions of a unit's mass.  A recipe's shares sum to 1 at most; the rest of a unit is what a
dismantler does not recover as a recorded output (dust, moisture, fines): a loss, which the mass balance allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from retrace.domain.model import Fate, Licence, Party, ProductModel, RegionCode, Role, Site, Stream

R, E, D = Fate.RECYCLING, Fate.ENERGY_RECOVERY, Fate.DISPOSAL

# -- parties --------------------------------------------------------------------------------------------------

YUEHUA = "yuehua-appliances"
BEICHEN = "beichen-computers"
JIANGNAN = "jiangnan-motor"
SHULI = "shuli-battery"
LVYUAN = "lvyuan-collection"
XINGSHA = "xingsha-collection"
TIANFU = "tianfu-collection"
XIHU = "xihu-collection"
HUANAN = "huanan-weee"
XIANGJIANG = "xiangjiang-weee"
SHUDU = "shudu-weee"
QIANTANG = "qiantang-weee"
SUZHOU_ELV = "suzhou-elv"
PENGCHENG_ELV = "pengcheng-elv"
XIANGXUN = "xiangxun-battery"
HONGDA = "hongda-battery"
CASCADE = "changzhou-cascade"
GANZHOU = "ganzhou-lithium"
REMAN = "hangzhou-reman"
HUAGANG = "huagang-steel"
QINGYUAN = "qingyuan-copper"
YONGXIN = "yongxin-plastics"
CHENZHOU = "chenzhou-smelting"
CHAOYANG = "chaoyang-metals"
SHUNCHANG = "shunchang-logistics"
MIIT = "miit"
GD_MIIT = "gd-miit"
HOUSEHOLDS_SZ = "households-shenzhen"
HOUSEHOLDS_CS = "households-changsha"
HOUSEHOLDS_CD = "households-chengdu"
HOUSEHOLDS_HZ = "households-hangzhou"
OWNERS_SUZHOU = "owners-suzhou"
SUDA = "suda-mobility"
XIAOSHAN_PARK = "xiaoshan-park-energy"


@dataclass(frozen=True)
class _P:
    id: str
    name_zh: str
    name: str
    roles: tuple[Role, ...]
    region: str
    sites: tuple[tuple[str, str, str, str], ...]  # (slug, name_zh, name, region)


_PRODUCER, _COLLECTOR, _DISMANTLER = (Role.PRODUCER,), (Role.COLLECTOR,), (Role.DISMANTLER,)
_RECYCLER, _OWNER = (Role.RECYCLER,), (Role.OWNER,)

# fmt: off
_PARTIES: tuple[_P, ...] = (
    _P(YUEHUA, "粤华电器股份有限公司", "Yuehua Electric Appliances Co., Ltd.", _PRODUCER, "440606",
       (("shunde", "顺德生产基地", "Shunde plant", "440606"),
        ("hefei", "合肥冰洗工厂", "Hefei refrigerator and washer plant", "340100"))),
    _P(BEICHEN, "北辰电脑科技有限公司", "Beichen Computer Technology Co., Ltd.", _PRODUCER, "110108",
       (("yizhuang", "亦庄装配厂", "Yizhuang assembly plant", "110115"),)),
    _P(JIANGNAN, "江南汽车股份有限公司", "Jiangnan Motor Co., Ltd.", _PRODUCER, "320500",
       (("suzhou", "苏州整车工厂", "Suzhou vehicle plant", "320505"),)),
    _P(SHULI, "蜀锂动力电池有限公司", "Shuli Power Battery Co., Ltd.", _PRODUCER, "511500",
       (("yibin", "宜宾电池工厂", "Yibin battery plant", "511502"),)),
    _P(LVYUAN, "深圳市绿源再生资源回收有限公司", "Shenzhen Lvyuan Renewable Resources Collection Co., Ltd.",
       _COLLECTOR, "440300",
       (("nanshan", "南山回收网点", "Nanshan collection point", "440305"),
        ("baoan", "宝安分拣中心", "Bao'an sorting centre", "440306"))),
    _P(XINGSHA, "长沙星沙再生资源回收站", "Changsha Xingsha Recycling Station", _COLLECTOR, "430121",
       (("xingsha", "星沙回收站", "Xingsha collection yard", "430121"),)),
    _P(TIANFU, "成都天府回收服务有限公司", "Chengdu Tianfu Collection Services Co., Ltd.", _COLLECTOR, "510100",
       (("wuhou", "武侯回收网点", "Wuhou collection point", "510107"),)),
    _P(XIHU, "杭州西湖易回收科技有限公司", "Hangzhou Xihu EasyCollect Technology Co., Ltd.", _COLLECTOR, "330106",
       (("xihu", "西湖回收网点", "Xihu collection point", "330106"),)),
    _P(HUANAN, "惠州华南废弃电器电子产品处理有限公司", "Huizhou South China WEEE Treatment Co., Ltd.", _DISMANTLER,
       "441300", (("huiyang", "惠阳拆解厂", "Huiyang dismantling plant", "441303"),)),
    _P(XIANGJIANG, "湖南湘江电子废弃物处理有限公司", "Hunan Xiangjiang E-waste Treatment Co., Ltd.", _DISMANTLER,
       "430112", (("wangcheng", "望城拆解厂", "Wangcheng dismantling plant", "430112"),)),
    _P(SHUDU, "四川蜀都再生资源处理有限公司", "Sichuan Shudu Renewable Resources Treatment Co., Ltd.", _DISMANTLER,
       "510114", (("xindu", "新都拆解厂", "Xindu dismantling plant", "510114"),)),
    _P(QIANTANG, "浙江钱塘废旧家电处理有限公司", "Zhejiang Qiantang Waste Appliance Treatment Co., Ltd.",
       _DISMANTLER, "330109", (("xiaoshan", "萧山拆解厂", "Xiaoshan dismantling plant", "330109"),)),
    _P(SUZHOU_ELV, "苏州吴中报废汽车回收拆解有限公司", "Suzhou Wuzhong ELV Recycling and Dismantling Co., Ltd.",
       _DISMANTLER, "320506", (("wuzhong", "吴中拆解厂", "Wuzhong dismantling yard", "320506"),)),
    _P(PENGCHENG_ELV, "深圳鹏城报废机动车回收有限公司", "Shenzhen Pengcheng End-of-Life Vehicle Recycling Co., Ltd.",
       _DISMANTLER, "440307", (("longgang", "龙岗拆解厂", "Longgang dismantling yard", "440307"),)),
    _P(XIANGXUN, "湖南湘循新能源科技有限公司", "Hunan Xiangxun New Energy Technology Co., Ltd.", _RECYCLER,
       "430182", (("ningxiang", "宁乡电池拆解与预处理车间", "Ningxiang battery dismantling and pre-treatment",
                   "430182"),)),
    _P(HONGDA, "东莞宏达电池回收有限公司", "Dongguan Hongda Battery Recycling Co., Ltd.", _RECYCLER, "441900",
       (("humen", "虎门仓库", "Humen warehouse", "441900"),)),
    _P(CASCADE, "常州储能梯次利用科技有限公司", "Changzhou Second-Life Energy Storage Technology Co., Ltd.",
       (Role.RECYCLER, Role.PRODUCER), "320412",
       (("wujin", "武进梯次利用工厂", "Wujin second-life plant", "320412"),)),
    _P(GANZHOU, "赣州锂源再生材料有限公司", "Ganzhou Liyuan Recycled Materials Co., Ltd.", _RECYCLER, "360700",
       (("hydromet", "湿法冶炼厂", "Hydrometallurgy plant", "360703"),)),
    _P(REMAN, "杭州发动机再制造有限公司", "Hangzhou Engine Remanufacturing Co., Ltd.", (Role.REMANUFACTURER,),
       "330110", (("yuhang", "余杭再制造工厂", "Yuhang remanufacturing plant", "330110"),)),
    _P(HUAGANG, "江苏华钢再生资源有限公司", "Jiangsu Huagang Steel Recycling Co., Ltd.", _RECYCLER, "320582",
       (("zhangjiagang", "张家港破碎与电炉车间", "Zhangjiagang shredder and electric-arc furnace", "320582"),)),
    _P(QINGYUAN, "清远再生铜铝有限公司", "Qingyuan Secondary Copper and Aluminium Co., Ltd.", _RECYCLER, "441800",
       (("qingcheng", "清城冶炼厂", "Qingcheng smelter", "441802"),)),
    _P(YONGXIN, "宁波甬新塑料再生有限公司", "Ningbo Yongxin Plastics Recycling Co., Ltd.", _RECYCLER, "330200",
       (("beilun", "北仑造粒厂", "Beilun pelletising plant", "330206"),)),
    _P(CHENZHOU, "郴州再生铅玻璃冶炼有限公司", "Chenzhou Secondary Lead and Glass Smelting Co., Ltd.", _RECYCLER,
       "431000", (("suxian", "苏仙冶炼厂", "Suxian smelter", "431003"),)),
    _P(CHAOYANG, "汕头潮阳金属再生有限公司", "Shantou Chaoyang Metal Recycling Co., Ltd.", _RECYCLER, "440513",
       (("guiyu", "贵屿加工场", "Guiyu processing yard", "440513"),)),
    _P(SHUNCHANG, "深圳顺畅危险品物流有限公司", "Shenzhen Shunchang Hazardous Goods Logistics Co., Ltd.",
       (Role.LOGISTICS,), "440300", (("pinghu", "平湖危险品中转库", "Pinghu dangerous goods depot", "440307"),)),
    _P(MIIT, "工业和信息化部节能与综合利用司",
       "MIIT Department of Energy Conservation and Comprehensive Utilization", (Role.REGULATOR,), "110102",
       (("office", "机关办公地", "Office", "110102"),)),
    _P(GD_MIIT, "广东省工业和信息化厅", "Guangdong Provincial Department of Industry and Information Technology",
       (Role.REGULATOR,), "440104", (("office", "机关办公地", "Office", "440104"),)),
    _P(HOUSEHOLDS_SZ, "深圳市居民用户（汇总）", "Households, Shenzhen (aggregated)", _OWNER, "440300",
       (("homes", "深圳市居民住户", "Homes in Shenzhen", "440300"),)),
    _P(HOUSEHOLDS_CS, "长沙市居民用户（汇总）", "Households, Changsha (aggregated)", _OWNER, "430100",
       (("homes", "长沙市居民住户", "Homes in Changsha", "430100"),)),
    _P(HOUSEHOLDS_CD, "成都市居民用户（汇总）", "Households, Chengdu (aggregated)", _OWNER, "510100",
       (("homes", "成都市居民住户", "Homes in Chengdu", "510100"),)),
    _P(HOUSEHOLDS_HZ, "杭州市居民用户（汇总）", "Households, Hangzhou (aggregated)", _OWNER, "330100",
       (("homes", "杭州市居民住户", "Homes in Hangzhou", "330100"),)),
    _P(OWNERS_SUZHOU, "苏州市私家车主（汇总）", "Private car owners, Suzhou (aggregated)", _OWNER, "320500",
       (("garages", "苏州市车主", "Owners' garages in Suzhou", "320500"),)),
    _P(SUDA, "深圳速达出行科技有限公司", "Shenzhen Suda Mobility Technology Co., Ltd.", _OWNER, "440300",
       (("depot", "福田车队场站", "Futian fleet depot", "440304"),)),
    _P(XIAOSHAN_PARK, "杭州萧山产业园储能运营有限公司", "Hangzhou Xiaoshan Industrial Park Energy Storage Co., Ltd.",
       _OWNER, "330109", (("substation", "园区储能站", "Industrial park storage station", "330109"),)),
)
# fmt: on


def site_id(party_id: str, slug: str | None = None) -> str:
    """The id of a party's site; without ``slug``, its first (main) site."""
    if slug is None:
        slug = next(p.sites[0][0] for p in _PARTIES if p.id == party_id)
    return f"s-{party_id}-{slug}"


PARTIES: tuple[Party, ...] = tuple(
    Party(p.id, p.name, frozenset(p.roles), RegionCode(p.region), p.name_zh) for p in _PARTIES
)
SITES: tuple[Site, ...] = tuple(
    Site(site_id(p.id, slug), name, p.id, RegionCode(region), name_zh)
    for p in _PARTIES
    for slug, name_zh, name, region in p.sites
)

W, V, B = frozenset({Stream.WEEE}), frozenset({Stream.ELV}), frozenset({Stream.BATTERY})
ALL = W | V | B


def _lic(number: str, party: str, streams: frozenset[Stream], start: str, end: str) -> Licence:
    return Licence(number, party, streams, date.fromisoformat(start), date.fromisoformat(end))


# The date the battery recycler "hongda" lost its place on the MIIT list (the "unlicensed workshop" of the demo).
HONGDA_LAPSE = date(2026, 3, 31)

# fmt: off
LICENCES: tuple[Licence, ...] = (
    # 再生资源回收经营者备案 (collectors' registration)
    _lic("GD-RRC-2021-0137", LVYUAN, W, "2021-04-01", "2027-03-31"),
    _lic("HN-RRC-2020-0412", XINGSHA, W, "2020-09-01", "2026-08-31"),
    _lic("HN-RRC-2026-0077", XINGSHA, W, "2026-09-01", "2032-08-31"),  # renewed without a gap
    _lic("SC-RRC-2022-0058", TIANFU, W, "2022-01-01", "2027-12-31"),
    _lic("ZJ-RRC-2021-0321", XIHU, W, "2021-06-01", "2027-05-31"),
    # 废弃电器电子产品处理资格证书 (WEEE treatment qualification)
    _lic("GD-WEEE-2012-009", HUANAN, W, "2021-01-01", "2025-12-31"),
    _lic("GD-WEEE-2026-009", HUANAN, W, "2026-01-01", "2030-12-31"),
    _lic("HN-WEEE-2013-004", XIANGJIANG, W, "2023-01-01", "2027-12-31"),
    _lic("SC-WEEE-2012-002", SHUDU, W, "2022-07-01", "2027-06-30"),
    _lic("ZJ-WEEE-2013-011", QIANTANG, W, "2023-03-01", "2028-02-29"),
    # 报废机动车回收拆解企业资质认定 (ELV recycling and dismantling qualification)
    _lic("JS-ELV-2020-0031", SUZHOU_ELV, V, "2020-09-01", "2030-08-31"),
    _lic("GD-ELV-2021-0012", PENGCHENG_ELV, V, "2021-03-01", "2031-02-28"),
    # 新能源汽车废旧动力蓄电池综合利用行业规范条件 (the MIIT "whitelist") and hazardous-waste permits (HW49)
    _lic("MIIT-NEVB-2018-01-03", XIANGXUN, B, "2018-07-01", "2028-06-30"),
    _lic("HN-HW-4301-0021", XIANGXUN, W, "2022-01-01", "2026-12-31"),
    _lic("MIIT-NEVB-2022-04-17", HONGDA, B, "2022-06-01", HONGDA_LAPSE.isoformat()),
    _lic("MIIT-NEVB-2020-02-09", CASCADE, B, "2020-12-01", "2030-11-30"),
    _lic("MIIT-NEVB-2019-02-11", GANZHOU, B, "2019-12-01", "2029-11-30"),
    # 机动车零部件再制造 (remanufacturing of the five major assemblies)
    _lic("ZJ-REMAN-2021-0005", REMAN, V, "2021-01-01", "2030-12-31"),
    # Material recyclers: 废钢铁加工行业准入, hazardous-waste permits, 废塑料综合利用规范条件
    _lic("MIIT-SCRAP-2019-0146", HUAGANG, ALL, "2019-05-01", "2029-04-30"),
    _lic("GD-HW-4418-0033", QINGYUAN, ALL, "2022-01-01", "2027-12-31"),
    _lic("ZJ-WPL-2021-0019", YONGXIN, ALL, "2021-01-01", "2030-12-31"),
    _lic("HN-HW-4310-0008", CHENZHOU, W | V, "2021-06-01", "2026-05-31"),
    _lic("HN-HW-4310-0108", CHENZHOU, W | V, "2026-06-01", "2031-05-31"),
    _lic("GD-RRC-2023-0588", CHAOYANG, W, "2023-01-01", "2028-12-31"),
    # 道路危险货物运输许可证 (carriers need no treatment licence; recorded for the audit trail)
    _lic("GD-DG-440300-0271", SHUNCHANG, B, "2021-01-01", "2029-12-31"),
)
# fmt: on

# -- product models -------------------------------------------------------------------------------------------

# GS1 company prefixes from the range GS1 keeps for demonstrations and examples (952), so no real company's GTINs
# are used.  Item references are 5 digits; GTIN-13 = prefix (7) + item ref (5) + check digit.
GS1_PREFIX = {YUEHUA: "9521001", BEICHEN: "9521002", SHULI: "9521004"}


def gtin13_check(body12: str) -> str:
    """The GS1 mod-10 check digit of the first 12 digits of a GTIN-13."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return str((10 - total % 10) % 10)


def gtin14(company_prefix: str, item_ref: str) -> str:
    body = company_prefix + item_ref
    return "0" + body + gtin13_check(body)


@dataclass(frozen=True)
class Output:
    """One output of taking a unit apart: a lot of ``material``, or a part item if ``model`` is set."""

    material: str
    share: float
    fate: Fate
    model: str | None = None


@dataclass(frozen=True)
class Spec:
    """A product model with its dismantling recipe; the composition is derived from the recipe."""

    id: str
    producer: str
    stream: Stream
    category: str
    name: str
    name_zh: str
    mass_g: int
    outputs: tuple[Output, ...] = ()
    item_ref: str | None = None  # GS1 item reference, if the producer serialises units with a GTIN
    fixed_composition: Mapping[str, int] = field(default_factory=dict)  # batteries: grams given directly
    legacy: bool = False  # on the market before the platform: tagged by collectors or recyclers at intake

    @property
    def gtin(self) -> str | None:
        return gtin14(GS1_PREFIX[self.producer], self.item_ref) if self.item_ref else None


def _o(material: str, share: float, fate: Fate = R) -> Output:
    return Output(material, share, fate)


def _part(model: str, share: float, fate: Fate = R) -> Output:
    return Output(model, share, fate, model)


def _with_other(outputs: Sequence[Output]) -> tuple[Output, ...]:
    """Close a recipe with ``other`` (residue to landfill) so its shares sum to exactly 1."""
    rest = round(1 - sum(o.share for o in outputs), 6)
    if rest < 0:
        raise ValueError(f"recipe shares exceed 1: {outputs}")
    return (*outputs, _o("other", rest, D))


_W, _V, _B = Stream.WEEE, Stream.ELV, Stream.BATTERY

# fmt: off
# Parts that come out whole, with the materials they are made of.
_PARTS: tuple[Spec, ...] = (
    Spec("yh-cmp-fridge", YUEHUA, _W, "compressor", "Refrigerator compressor", "冰箱压缩机", 9_000,
         (_o("ferrous", 0.82), _o("copper", 0.126), _o("aluminium", 0.022), _o("compressor_oil", 0.032, E))),
    Spec("yh-cmp-ac", YUEHUA, _W, "compressor", "Rotary air-conditioner compressor", "空调旋转式压缩机", 11_000,
         (_o("ferrous", 0.80), _o("copper", 0.14), _o("aluminium", 0.03), _o("compressor_oil", 0.03, E))),
    Spec("yh-motor-washer", YUEHUA, _W, "motor", "Washing machine motor", "洗衣机电机", 4_500,
         (_o("ferrous", 0.60), _o("copper", 0.25), _o("aluminium", 0.10), _o("other", 0.05, D))),
    Spec("jn-engine-16", JIANGNAN, _V, "engine", "1.6 L petrol engine JN16", "1.6 升汽油发动机 JN16", 125_000,
         (_o("ferrous", 0.62), _o("aluminium", 0.33), _o("copper", 0.01), _o("other", 0.04, D))),
    Spec("jn-gearbox-5mt", JIANGNAN, _V, "transmission", "5-speed manual transmission", "五挡手动变速器", 42_000,
         (_o("ferrous", 0.70), _o("aluminium", 0.27), _o("other", 0.03, D))),
    Spec("jn-edu-150", JIANGNAN, _V, "electric_drive_unit", "150 kW electric drive unit",
         "150 kW 电驱总成（电机、减速器、逆变器）", 80_000,
         (_o("ferrous", 0.45), _o("aluminium", 0.33), _o("copper", 0.14), _o("pcb", 0.03), _o("other", 0.05, D))),
)

# WEEE: the "four machines and one computer".  "legacy" models were sold before the platform existed; their units
# are tagged by a collector at intake.  The others are made in 2025 and tagged by the producer.
_WEEE: tuple[Spec, ...] = (
    Spec("yh-crt-21", YUEHUA, _W, "crt_tv", "21-inch CRT TV (2005)", "21 英寸 CRT 电视机（2005 年款）", 24_000,
         _with_other((_o("panel_glass", 0.375), _o("funnel_glass", 0.1875), _o("ferrous", 0.108), _o("copper", 0.029),
                      _o("cables", 0.008), _o("pcb", 0.079), _o("plastics", 0.179), _o("aluminium", 0.004))),
         item_ref="10021", legacy=True),
    Spec("yh-lcd-42", YUEHUA, _W, "flat_panel_tv", "42-inch CCFL LCD TV (2012)", "42 英寸 CCFL 液晶电视（2012 年款）",
         14_000,
         _with_other((_o("ferrous", 0.33), _o("aluminium", 0.043), _o("plastics", 0.286), _o("lcd_panel", 0.186),
                      _o("pcb", 0.071), _o("copper", 0.011), _o("cables", 0.018), _o("ccfl_lamps", 0.007, D))),
         item_ref="10042", legacy=True),
    Spec("yh-led-55", YUEHUA, _W, "flat_panel_tv", "55-inch LED TV (2025)", "55 英寸 LED 液晶电视（2025 年款）", 17_000,
         _with_other((_o("ferrous", 0.306), _o("aluminium", 0.053), _o("plastics", 0.282), _o("lcd_panel", 0.224),
                      _o("pcb", 0.065), _o("copper", 0.012), _o("cables", 0.018))),
         item_ref="10155"),
    Spec("yh-bcd-180", YUEHUA, _W, "refrigerator", "180 L refrigerator (2008)", "180 升双门冰箱（2008 年款）", 46_000,
         _with_other((_part("yh-cmp-fridge", 0.20), _o("ferrous", 0.32), _o("plastics", 0.18), _o("pu_foam", 0.13, E),
                      _o("copper", 0.02), _o("aluminium", 0.025), _o("glass", 0.045), _o("pcb", 0.004),
                      _o("cables", 0.008), _o("refrigerant", 0.0013, D))),
         item_ref="20180", legacy=True),
    Spec("yh-bcd-216", YUEHUA, _W, "refrigerator", "216 L refrigerator (2025)", "216 升双门冰箱（2025 年款）", 52_000,
         _with_other((_part("yh-cmp-fridge", 0.175), _o("ferrous", 0.33), _o("plastics", 0.18), _o("pu_foam", 0.13, E),
                      _o("copper", 0.018), _o("aluminium", 0.025), _o("glass", 0.05), _o("pcb", 0.006),
                      _o("cables", 0.008), _o("refrigerant", 0.0012, D))),
         item_ref="20216"),
    Spec("yh-xqb-50", YUEHUA, _W, "washing_machine", "5 kg top-loading washer (2010)",
         "5 公斤波轮洗衣机（2010 年款）", 30_000,
         _with_other((_part("yh-motor-washer", 0.12), _o("ferrous", 0.26), _o("plastics", 0.45), _o("copper", 0.004),
                      _o("aluminium", 0.02), _o("pcb", 0.008), _o("cables", 0.015), _o("rubber", 0.02, E),
                      _o("glass", 0.03))),
         item_ref="30050", legacy=True),
    Spec("yh-xqg-100", YUEHUA, _W, "washing_machine", "10 kg front-loading washer (2025)",
         "10 公斤滚筒洗衣机（2025 年款）", 68_000,
         _with_other((_part("yh-motor-washer", 0.075), _o("ferrous", 0.30), _o("concrete", 0.33, D),
                      _o("plastics", 0.17), _o("copper", 0.006), _o("aluminium", 0.015), _o("pcb", 0.006),
                      _o("cables", 0.01), _o("rubber", 0.02, E), _o("glass", 0.025))),
         item_ref="30100"),
    Spec("yh-kfr-35-r22", YUEHUA, _W, "air_conditioner", "1.5 HP split air conditioner, R22 (2010)",
         "1.5 匹分体空调，R22（2010 年款）", 48_000,
         _with_other((_part("yh-cmp-ac", 0.24), _o("ferrous", 0.30), _o("copper", 0.11), _o("aluminium", 0.09),
                      _o("plastics", 0.17), _o("pcb", 0.018), _o("cables", 0.015), _o("refrigerant", 0.021, D))),
         item_ref="40035", legacy=True),
    Spec("yh-kfr-35-r32", YUEHUA, _W, "air_conditioner", "1.5 HP inverter split air conditioner, R32 (2025)",
         "1.5 匹变频分体空调，R32（2025 年款）", 44_000,
         _with_other((_part("yh-cmp-ac", 0.23), _o("ferrous", 0.31), _o("copper", 0.09), _o("aluminium", 0.10),
                      _o("plastics", 0.17), _o("pcb", 0.022), _o("cables", 0.015), _o("refrigerant", 0.018, D))),
         item_ref="40135"),
    Spec("bc-desktop-2012", BEICHEN, _W, "desktop_computer", "Desktop computer (2012)", "台式电脑主机（2012 年款）",
         9_500,
         _with_other((_o("ferrous", 0.58), _o("aluminium", 0.06), _o("copper", 0.03), _o("pcb", 0.13),
                      _o("plastics", 0.08), _o("cables", 0.04), _o("hdd", 0.06))),
         item_ref="50012", legacy=True),
    Spec("bc-desktop-2025", BEICHEN, _W, "desktop_computer", "Desktop computer (2025)", "台式电脑主机（2025 年款）",
         7_500,
         _with_other((_o("ferrous", 0.55), _o("aluminium", 0.08), _o("copper", 0.03), _o("pcb", 0.14),
                      _o("plastics", 0.10), _o("cables", 0.04), _o("hdd", 0.03))),
         item_ref="50025"),
    Spec("bc-laptop-2014", BEICHEN, _W, "laptop_computer", "14-inch laptop (2014)", "14 英寸笔记本电脑（2014 年款）",
         2_400,
         _with_other((_o("plastics", 0.32), _o("pcb", 0.14), _o("li_ion_battery", 0.13), _o("lcd_panel", 0.15),
                      _o("ferrous", 0.10), _o("aluminium", 0.05), _o("copper", 0.03), _o("hdd", 0.04))),
         item_ref="60014", legacy=True),
    Spec("bc-laptop-2025", BEICHEN, _W, "laptop_computer", "14-inch laptop (2025)", "14 英寸笔记本电脑（2025 年款）",
         1_500,
         _with_other((_o("aluminium", 0.33), _o("pcb", 0.13), _o("li_ion_battery", 0.18), _o("lcd_panel", 0.14),
                      _o("plastics", 0.10), _o("ferrous", 0.04), _o("copper", 0.03))),
         item_ref="60025"),
)

# -- traction batteries ---------------------------------------------------------------------------------------
# Cells: element-resolved cathode (so recovery per element can be computed), the rest by material.
# NCM523 (LiNi0.5Co0.2Mn0.3O2): Li 7.19 %, Ni 30.39 %, Co 12.21 %, Mn 17.07 %, O 33.14 % of the cathode mass.
# LFP (LiFePO4): Li 4.40 %, Fe 35.40 %, P 19.63 %, O 40.57 %.
NCM_CELL_G = {
    "lithium": 61, "nickel": 258, "cobalt": 104, "manganese": 145, "oxygen": 282,  # 850 g cathode active material
    "graphite": 440, "copper": 240, "aluminium": 520, "electrolyte": 360, "plastics": 60, "other": 130,
}
LFP_CELL_G = {
    "lithium": 42, "iron": 340, "phosphorus": 188, "oxygen": 390,  # 960 g cathode active material
    "graphite": 500, "copper": 300, "aluminium": 760, "electrolyte": 360, "plastics": 70, "other": 100,
}
CATHODE_ELEMENTS = frozenset({"lithium", "nickel", "cobalt", "manganese", "iron", "phosphorus", "oxygen"})
CELLS_PER_MODULE = 12
MODULES_PER_PACK = 8
# Module hardware (end and side plates, busbars, cell holders, cell supervision board) and pack hardware (tray and
# lid, brackets, high-voltage cables, BMS, cooling plates and coolant, insulation), in grams.
MODULE_HARDWARE_G = {"aluminium": 2_200, "copper": 500, "plastics": 600, "pcb": 300}
PACK_HARDWARE_G = {"aluminium": 45_000, "ferrous": 15_000, "copper": 6_000, "pcb": 3_000, "coolant": 3_000,
                   "plastics": 6_000, "other": 2_000}
HARDWARE_FATE = {"coolant": D, "other": D}
# The second-life storage cabinet: 16 LFP modules in a steel enclosure with its own BMS.
ESS_MODULES = 16
ESS_ENCLOSURE_G = {"ferrous": 140_000, "copper": 12_000, "pcb": 8_000, "plastics": 10_000, "other": 10_000}


def _sum(*parts: tuple[Mapping[str, int], int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for composition, times in parts:
        for material, grams in composition.items():
            out[material] = out.get(material, 0) + grams * times
    return out


_NCM_MODULE = _sum((NCM_CELL_G, CELLS_PER_MODULE), (MODULE_HARDWARE_G, 1))
_LFP_MODULE = _sum((LFP_CELL_G, CELLS_PER_MODULE), (MODULE_HARDWARE_G, 1))
_NCM_PACK = _sum((_NCM_MODULE, MODULES_PER_PACK), (PACK_HARDWARE_G, 1))
_LFP_PACK = _sum((_LFP_MODULE, MODULES_PER_PACK), (PACK_HARDWARE_G, 1))
_ESS = _sum((_LFP_MODULE, ESS_MODULES), (ESS_ENCLOSURE_G, 1))

_BATTERY: tuple[Spec, ...] = (
    Spec("sl-ncm-cell-150", SHULI, _B, "ncm_cell", "NCM523 prismatic cell 150 Ah", "NCM523 方形电芯 150 Ah",
         sum(NCM_CELL_G.values()), fixed_composition=NCM_CELL_G),
    Spec("sl-ncm-module-12s", SHULI, _B, "ncm_module", "NCM module 12S (12 × 150 Ah)", "NCM 模组 12 串",
         sum(_NCM_MODULE.values()), fixed_composition=_NCM_MODULE),
    Spec("sl-ncm-pack-96s", SHULI, _B, "ncm_pack", "NCM pack 96S 52.6 kWh", "NCM 电池包 96 串 52.6 kWh",
         sum(_NCM_PACK.values()), fixed_composition=_NCM_PACK, item_ref="70096"),
    Spec("sl-lfp-cell-160", SHULI, _B, "lfp_cell", "LFP prismatic cell 160 Ah", "磷酸铁锂方形电芯 160 Ah",
         sum(LFP_CELL_G.values()), fixed_composition=LFP_CELL_G),
    Spec("sl-lfp-module-12s", SHULI, _B, "lfp_module", "LFP module 12S (12 × 160 Ah)", "磷酸铁锂模组 12 串",
         sum(_LFP_MODULE.values()), fixed_composition=_LFP_MODULE),
    Spec("sl-lfp-pack-96s", SHULI, _B, "lfp_pack", "LFP pack 96S 49.2 kWh", "磷酸铁锂电池包 96 串 49.2 kWh",
         sum(_LFP_PACK.values()), fixed_composition=_LFP_PACK, item_ref="71096"),
    Spec("cz-ess-16m", CASCADE, _B, "second_life_ess", "Second-life storage cabinet, 16 LFP modules",
         "梯次利用储能柜（16 个磷酸铁锂模组）", sum(_ESS.values()), fixed_composition=_ESS),
)

# -- vehicles -------------------------------------------------------------------------------------------------
# Shares of the vehicle's mass without its traction pack ("glider").  The five major assemblies: engine and
# transmission come out as parts; steering gear, axles and the body/frame stay in the hulk that goes to the shredder.
_ICE_OUTPUTS = _with_other((
    _part("jn-engine-16", 0.0947, Fate.REMANUFACTURE), _part("jn-gearbox-5mt", 0.0318, Fate.REMANUFACTURE),
    _o("fluids", 0.0175, E), _o("lead_acid_battery", 0.011), _o("tyres", 0.0273, E), _o("aluminium", 0.0242),
    _o("catalytic_converter", 0.0045), _o("glass", 0.0273, D), _o("plastics", 0.0417), _o("copper", 0.0129),
    _o("vehicle_hulk", 0.69),
))
_BEV_OUTPUTS = _with_other((
    _part("jn-edu-150", 0.0601), _o("fluids", 0.0075, E), _o("lead_acid_battery", 0.009), _o("tyres", 0.027, E),
    _o("aluminium", 0.0255), _o("glass", 0.027, D), _o("plastics", 0.0526), _o("copper", 0.0165),
    _o("vehicle_hulk", 0.752),
))
ICE_MASS_G = 1_320_000
BEV_GLIDER_G = 1_330_000

_VEHICLES: tuple[Spec, ...] = (
    Spec("jn-sedan-16", JIANGNAN, _V, "passenger_car", "Jiangnan sedan 1.6 L petrol (2011)",
         "江南 1.6 升汽油轿车（2011 年款）", ICE_MASS_G, _ICE_OUTPUTS, legacy=True),
    Spec("jn-ev-ncm", JIANGNAN, _V, "passenger_car_bev", "Jiangnan EV sedan, NCM 52.6 kWh (2025)",
         "江南纯电动轿车，三元 52.6 kWh（2025 年款）", BEV_GLIDER_G + sum(_NCM_PACK.values()), _BEV_OUTPUTS),
    Spec("jn-ev-lfp", JIANGNAN, _V, "passenger_car_bev", "Jiangnan EV sedan, LFP 49.2 kWh (2025)",
         "江南纯电动轿车，磷酸铁锂 49.2 kWh（2025 年款）", BEV_GLIDER_G + sum(_LFP_PACK.values()), _BEV_OUTPUTS),
)
# fmt: on
PACK_OF_VEHICLE = {"jn-ev-ncm": "sl-ncm-pack-96s", "jn-ev-lfp": "sl-lfp-pack-96s"}
MODULE_OF_PACK = {"sl-ncm-pack-96s": "sl-ncm-module-12s", "sl-lfp-pack-96s": "sl-lfp-module-12s"}
CELL_OF_MODULE = {"sl-ncm-module-12s": "sl-ncm-cell-150", "sl-lfp-module-12s": "sl-lfp-cell-160"}

SPECS: dict[str, Spec] = {s.id: s for s in (*_PARTS, *_WEEE, *_BATTERY, *_VEHICLES)}


# Lots that are mixtures, by the materials they contain (for a model's composition; lots keep their own name).
MIXTURES: dict[str, dict[str, float]] = {
    "vehicle_hulk": {
        "ferrous": 0.87,
        "aluminium": 0.02,
        "copper": 0.01,
        "plastics": 0.05,
        "rubber": 0.02,
        "other": 0.03,
    },
    "cables": {"copper": 0.45, "plastics": 0.55},
    "tyres": {"rubber": 0.85, "ferrous": 0.12, "other": 0.03},
    "catalytic_converter": {"ferrous": 0.60, "ceramic_pgm": 0.40},
    "lead_acid_battery": {"lead": 0.62, "electrolyte": 0.28, "plastics": 0.07, "other": 0.03},
}


def composition(spec: Spec) -> dict[str, int]:
    """Grams of each material in one unit of ``spec`` (parts resolved into their materials)."""
    if spec.fixed_composition:
        return dict(spec.fixed_composition)
    glider = spec.mass_g
    out: dict[str, int] = {}
    if spec.id in PACK_OF_VEHICLE:
        pack = SPECS[PACK_OF_VEHICLE[spec.id]]
        glider -= pack.mass_g
        out = composition(pack)

    def add(material: str, grams: float) -> None:
        for name, share in MIXTURES.get(material, {material: 1.0}).items():
            out[name] = out.get(name, 0) + round(grams * share)

    for o in spec.outputs:
        grams = glider * o.share
        if o.model is None:
            add(o.material, grams)
            continue
        for p in SPECS[o.model].outputs:
            add(p.material, grams * p.share)
    # Rounding may overshoot the nominal mass by a few grams; the model refuses that, so trim "other".
    excess = sum(out.values()) - spec.mass_g
    if excess > 0:
        out["other"] = out.get("other", 0) - excess
    return {m: g for m, g in sorted(out.items()) if g > 0}


def product_model(spec: Spec) -> ProductModel:
    name = f"{spec.name} / {spec.name_zh}"
    return ProductModel(
        spec.id, spec.producer, spec.stream, spec.category, name, spec.mass_g, composition(spec), spec.gtin
    )


MODELS: tuple[ProductModel, ...] = tuple(product_model(s) for s in SPECS.values())
