// What a product category or a material is called, in both languages, for one thing on a card ("Refrigerator", not
// the code `refrigerator`). The platform names them by code: retrace/targets/categories.csv has report headings in
// the plural ("Refrigerators") and materials.csv no names at all, and the REST and GraphQL APIs answer codes, so the
// scanner keeps its own labels. A test checks that every code of those two files and of the demo's lots has both.
// A code not listed here (a category or material added later) is shown as it is.

import { language } from "./i18n.js";

export const CATEGORIES = {
  refrigerator: { en: "Refrigerator", zh: "电冰箱" },
  air_conditioner: { en: "Air conditioner", zh: "空调器" },
  washing_machine: { en: "Washing machine", zh: "洗衣机" },
  tv: { en: "Television", zh: "电视机" },
  crt_tv: { en: "CRT television", zh: "CRT 电视机" },
  flat_panel_tv: { en: "Flat-panel television", zh: "平板电视机" },
  laptop_computer: { en: "Laptop computer", zh: "笔记本电脑" },
  desktop_computer: { en: "Desktop computer", zh: "台式电脑" },
  compressor: { en: "Compressor", zh: "压缩机" },
  motor: { en: "Electric motor", zh: "电机" },
  passenger_car: { en: "Passenger car", zh: "乘用车" },
  passenger_car_bev: { en: "Passenger car (battery electric)", zh: "乘用车（纯电动）" },
  engine: { en: "Engine", zh: "发动机" },
  transmission: { en: "Transmission", zh: "变速器" },
  electric_drive_unit: { en: "Electric drive unit", zh: "电驱总成" },
  ncm_pack: { en: "Traction battery pack (NCM)", zh: "动力电池包（三元）" },
  lfp_pack: { en: "Traction battery pack (LFP)", zh: "动力电池包（磷酸铁锂）" },
  ncm_module: { en: "Battery module (NCM)", zh: "电池模组（三元）" },
  lfp_module: { en: "Battery module (LFP)", zh: "电池模组（磷酸铁锂）" },
  ncm_cell: { en: "Battery cell (NCM)", zh: "电芯（三元）" },
  lfp_cell: { en: "Battery cell (LFP)", zh: "电芯（磷酸铁锂）" },
  second_life_ess: { en: "Second-life storage cabinet", zh: "梯次利用储能柜" },
};

export const MATERIALS = {
  // Fractions a dismantler sorts out
  ferrous: { en: "steel and iron", zh: "钢铁" },
  steel: { en: "steel", zh: "钢" },
  aluminium: { en: "aluminium", zh: "铝" },
  copper: { en: "copper", zh: "铜" },
  plastics: { en: "plastics", zh: "塑料" },
  pcb: { en: "circuit boards", zh: "电路板" },
  cables: { en: "cables", zh: "电线电缆" },
  glass: { en: "glass", zh: "玻璃" },
  panel_glass: { en: "CRT panel glass", zh: "CRT 屏玻璃" },
  funnel_glass: { en: "CRT funnel glass", zh: "CRT 锥玻璃" },
  lcd_panel: { en: "LCD panels", zh: "液晶面板" },
  ccfl_lamps: { en: "CCFL backlight lamps", zh: "CCFL 背光灯管" },
  pu_foam: { en: "PU foam", zh: "聚氨酯泡沫" },
  refrigerant: { en: "refrigerant", zh: "制冷剂" },
  compressor_oil: { en: "compressor oil", zh: "压缩机油" },
  concrete: { en: "concrete counterweight", zh: "混凝土配重" },
  rubber: { en: "rubber", zh: "橡胶" },
  hdd: { en: "hard disks", zh: "硬盘" },
  li_ion_battery: { en: "Li-ion batteries", zh: "锂离子电池" },
  vehicle_hulk: { en: "car hulk", zh: "车身残骸" },
  tyres: { en: "tyres", zh: "轮胎" },
  fluids: { en: "fluids", zh: "油液" },
  coolant: { en: "coolant", zh: "冷却液" },
  lead_acid_battery: { en: "lead-acid battery", zh: "铅酸蓄电池" },
  catalytic_converter: { en: "catalytic converter", zh: "三元催化器" },
  black_mass: { en: "black mass", zh: "黑粉" },
  electrolyte: { en: "electrolyte", zh: "电解液" },
  other: { en: "other / residue", zh: "其他 / 残余物" },
  // Parts sent on as scrap (a lot of engines, of motors …)
  engine: { en: "engines", zh: "发动机" },
  transmission: { en: "transmissions", zh: "变速器" },
  compressor: { en: "compressors", zh: "压缩机" },
  motor: { en: "electric motors", zh: "电机" },
  electric_drive_unit: { en: "electric drive units", zh: "电驱总成" },
  // What recyclers make
  ferrous_scrap: { en: "steel scrap", zh: "废钢" },
  crude_steel: { en: "crude steel", zh: "粗钢" },
  steel_slag: { en: "steel slag", zh: "钢渣" },
  asr: { en: "shredder residue (ASR)", zh: "汽车破碎残余物" },
  nonferrous_mix: { en: "mixed non-ferrous metals", zh: "混合有色金属" },
  aluminium_ingot: { en: "aluminium ingot", zh: "铝锭" },
  dross: { en: "aluminium dross", zh: "铝灰渣" },
  copper_cathode: { en: "copper cathode", zh: "阴极铜" },
  copper_granules: { en: "copper granules", zh: "铜米" },
  copper_slag: { en: "copper slag", zh: "铜渣" },
  precious_metals: { en: "precious metals", zh: "贵金属" },
  pgm_concentrate: { en: "PGM concentrate", zh: "铂族金属富集物" },
  lead_bullion: { en: "lead bullion", zh: "粗铅" },
  recycled_pellets: { en: "recycled plastic pellets", zh: "再生塑料颗粒" },
  polypropylene: { en: "polypropylene", zh: "聚丙烯" },
  cable_plastics: { en: "cable plastics", zh: "电缆塑料" },
  plastic_residue: { en: "plastic residue", zh: "塑料残余物" },
  glass_cullet: { en: "glass cullet", zh: "碎玻璃" },
  glass_slag: { en: "glass slag", zh: "玻璃渣" },
  // Battery recycling and refining
  iron_phosphate: { en: "iron phosphate", zh: "磷酸铁" },
  leach_residue: { en: "leach residue", zh: "浸出渣" },
  lithium_carbonate: { en: "lithium carbonate", zh: "碳酸锂" },
  nickel_sulfate: { en: "nickel sulfate", zh: "硫酸镍" },
  cobalt_sulfate: { en: "cobalt sulfate", zh: "硫酸钴" },
  manganese_sulfate: { en: "manganese sulfate", zh: "硫酸锰" },
  nickel_sulfate_hexahydrate: { en: "nickel sulfate hexahydrate", zh: "六水硫酸镍" },
  cobalt_sulfate_heptahydrate: { en: "cobalt sulfate heptahydrate", zh: "七水硫酸钴" },
  manganese_sulfate_monohydrate: { en: "manganese sulfate monohydrate", zh: "一水硫酸锰" },
};

const pick = (table, code) => {
  const entry = code ? table[code] : null;
  return entry ? entry[language()] || entry.en : null;
};

/** A category's label in the reader's language, or null when the scanner has none. */
export const categoryLabel = (code) => pick(CATEGORIES, code);

/** A material's label in the reader's language, or null when the scanner has none. */
export const materialLabel = (code) => pick(MATERIALS, code);

/** A material as a person reads it: its label, or its code when the scanner has no label for it. */
export const materialName = (code) => materialLabel(code) || code || "";
