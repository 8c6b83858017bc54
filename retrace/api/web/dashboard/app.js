// The dashboard: regulator and producer views over /api/v1/reports, in Chinese and English.
import { bars, bullet, el, legend, sankey } from "./charts.js";
import { named, translator } from "./i18n.js";

const API = "/api/v1/reports";
const ELEMENTS = ["lithium", "nickel", "cobalt", "manganese", "copper"];
const FATES = ["reuse", "remanufacture", "recycling", "energy_recovery", "disposal", "unknown"];

const state = {
  lang: "zh",
  view: "regulator",
  from: "",
  to: "",
  scope: "nation",
  stream: "",
  producer: "",
  flow: "materials", // the Sankey: materials (streams → classes → fates) or roles (collectors → … → recyclers)
  data: {},
};
let t = translator("zh");

// -- formatting ------------------------------------------------------------------------------------------------

function locale() {
  return state.lang === "zh" ? "zh-CN" : "en";
}
function number(value, digits = 1) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}
function pct(value, digits = 1) {
  return value === null || value === undefined ? "—" : `${number(value * 100, digits)} %`;
}
function tonnes(kg) {
  return number(kg / 1000, kg !== 0 && Math.abs(kg) < 10000 ? 3 : 1);
}
function kgText(kg) {
  return `${tonnes(kg)} ${t("t")}`;
}
function month(offset) {
  // This month in China Standard Time, shifted by `offset` months.
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const index = now.getUTCFullYear() * 12 + now.getUTCMonth() + offset;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

// -- data ------------------------------------------------------------------------------------------------------

function query(extra = {}) {
  const params = new URLSearchParams({ from: state.from, to: state.to, ...extra });
  return params.toString();
}
function scopeParams() {
  const [kind, id] = state.scope.split(":");
  const params = { scope: kind };
  if (id) params.id = id;
  if (state.stream) params.stream = state.stream;
  return params;
}
async function get(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) {
    const error = body.error || {};
    throw new Error(state.lang === "zh" ? error.message_zh || error.message : error.message);
  }
  return body;
}

function status(text, error = false) {
  const node = document.getElementById("status");
  node.textContent = text;
  node.classList.toggle("error", error);
}

async function load() {
  status(t("loading"));
  document.body.dataset.state = "loading";
  try {
    if (state.view === "regulator") {
      const params = scopeParams();
      const [report, sites, flows] = await Promise.all([
        get(`${API}/recovery?${query(params)}`),
        get(`${API}/sites?${query(params)}`),
        get(`${API}/flows?${query({ ...params, view: state.flow })}`),
      ]);
      state.data.regulator = { report, sites, flows };
    } else {
      const producers = await get(`${API}/producers?${query()}`);
      const choices = producers.producers.filter((p) => p.placed_on_market_units > 0 || p.treated_units > 0);
      if (!state.producer || !choices.some((p) => p.producer_id === state.producer)) {
        state.producer = choices[0]?.producer_id || "";
      }
      const report = state.producer
        ? await get(`${API}/recovery?${query({ scope: "producer", id: state.producer })}`)
        : null;
      state.data.producer = { producers, choices, report };
    }
    render();
    status(`${t("loaded")} ${new Date().toLocaleTimeString(locale())}`);
    document.body.dataset.state = "ready";
  } catch (error) {
    status(`${t("failed")}: ${error.message}`, true);
    document.body.dataset.state = "error";
  }
}

// -- rendering -------------------------------------------------------------------------------------------------

function translatePage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = `${t("title")} — trace`;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
  for (const button of document.querySelectorAll("button[data-view]")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === state.view));
  }
  for (const button of document.querySelectorAll("[data-flow]")) {
    button.setAttribute("aria-pressed", String(button.dataset.flow === state.flow));
  }
  const sankeyTitle = document.getElementById("sankey-title");
  sankeyTitle.dataset.i18n = `h.sankey.${state.flow}`;
  sankeyTitle.textContent = t(sankeyTitle.dataset.i18n);
  const sankeyHint = document.getElementById("sankey-hint");
  sankeyHint.dataset.i18n = `hint.sankey.${state.flow}`;
  sankeyHint.textContent = t(sankeyHint.dataset.i18n);
  document.body.dataset.view = state.view;
  document.getElementById("regulator").hidden = state.view !== "regulator";
  document.getElementById("producer").hidden = state.view !== "producer";
}

function render() {
  translatePage();
  if (state.view === "regulator" && state.data.regulator) renderRegulator(state.data.regulator);
  if (state.view === "producer" && state.data.producer) renderProducer(state.data.producer);
}

function card(label, value, sub, onclick) {
  return el(
    "div",
    { class: "card", onclick, role: onclick ? "button" : null, tabindex: onclick ? 0 : null },
    el("div", { class: "label" }, label),
    el("div", { class: "value" }, value),
    sub ? el("div", { class: "sub" }, sub) : null,
  );
}

function targetName(check) {
  return named(state.lang, { name: check.target.name, name_zh: check.target.name_zh });
}

function tags(check) {
  const out = [el("span", { class: "tag" }, check.target.jurisdiction)];
  if (check.target.status === "verify") out.push(el("span", { class: "tag" }, t("verify")));
  return out;
}

function bulletRow(check, onclick, drillMeasure) {
  const measurable = check.measured !== null;
  const figure = measurable
    ? `${pct(check.measured / 100)} ${check.met ? "✓" : "✗"}`
    : t(check.applicable === false ? "not.applicable" : "not.measured");
  const value = measurable ? check.measured / 100 : null;
  const target = check.target.value / 100;
  const subject =
    check.subject_kind === "scope"
      ? check.target.instrument
      : named(state.lang, { name: check.subject_name, name_zh: check.subject_name_zh });
  return el(
    "div",
    {
      class: "bullet",
      onclick: drillMeasure ? onclick : null,
      role: drillMeasure ? "button" : null,
      dataset: { target: check.target.id, subject: check.subject_id || "", ...(drillMeasure ? { drill: drillMeasure } : {}) },
      title: check.note || check.target.note || "",
    },
    el("div", { class: "name" }, targetName(check), ...tags(check), el("small", {}, subject)),
    bullet(value, target, check.met),
    el(
      "div",
      { class: `figure ${check.met === null ? "na" : check.met ? "met" : "short"}` },
      figure,
      el("small", {}, ` / ${number(check.target.value, 0)} %`),
    ),
  );
}

// The mass a rate's numerator is made of, as the drill-down names it: [measure, fate], or null where no mass
// record is behind the figure (an EPR rate counts units treated by licensed parties out of units placed: no
// drill-down measure sums that).
function measureOf(check) {
  if (check.measured === null) return null;
  const measure = check.target.measure || "";
  if (measure === "recycling_rate") return ["recycled", null];
  if (measure === "recovery_rate") return ["recovered", null];
  if (measure === "collection_rate") return ["collected", null];
  if (measure.startsWith("element_recovery")) return ["final", "recycling"];
  return null;
}

function drillScope(check) {
  if (check.subject_kind === "party") return { scope: "party", id: check.subject_id };
  if (check.subject_kind === "model") return { scope: "model", id: check.subject_id };
  const params = scopeParams();
  if (check.target.stream && ["weee", "elv", "battery"].includes(check.target.stream)) params.stream = check.target.stream;
  return params;
}

function renderRegulator({ report, sites, flows }) {
  const f = report.figures;
  const unknown = f.by_fate_kg.unknown || 0;
  const cards = [
    card(t("card.treated"), kgText(f.treated_kg), `${number(f.units_treated, 0)} ${t("units")}`, () =>
      drill("treated", null, scopeParams()),
    ),
    card(t("card.recycling"), pct(f.recycling_rate), kgText(f.recycled_kg), () => drill("recycled", null, scopeParams())),
    card(t("card.recovery"), pct(f.recovery_rate), kgText(f.recovered_kg), () => drill("recovered", null, scopeParams())),
    card(t("card.collected"), kgText(f.collected_kg), `${number(f.units_collected, 0)} ${t("units")}`, () =>
      drill("collected", null, scopeParams()),
    ),
    card(t("card.loss"), kgText(f.loss_kg), pct(f.treated_kg ? f.loss_kg / f.treated_kg : null), () =>
      drill("loss", null, scopeParams()),
    ),
    card(t("card.unknown"), kgText(unknown), pct(f.unknown_share, 2), () => drill("final", "unknown", scopeParams())),
    card(t("card.value"), `¥${number(f.remanufacturing_value_cny, 0)}`, kgText(f.by_fate_kg.remanufacture || 0)),
    // Reagents a refinery declared (acid, water of crystallisation) are in its products' mass but in no rate.
    f.reagents_kg > 0 ? card(t("card.reagents"), kgText(f.reagents_kg), t("card.reagents_sub")) : null,
  ];
  document.getElementById("cards").replaceChildren(...cards.filter(Boolean));

  const rates = report.checks.filter((c) => c.target.unit === "%");
  rates.sort((a, b) => order(a) - order(b));
  document.getElementById("bullets").replaceChildren(
    ...rates.map((check) => {
      const of = measureOf(check);
      return bulletRow(check, () => of && drill(of[0], of[1], drillScope(check)), of?.[0]);
    }),
  );

  const nodeName = (n) => named(state.lang, n);
  const total = new Map();
  for (const link of flows.links) total.set(link.source, (total.get(link.source) || 0) + link.mass_kg);
  document.getElementById("sankey").replaceChildren(
    sankey(
      flows.nodes,
      flows.links.map((l) => ({ ...l, mass: l.mass_kg, text: kgText(l.mass_kg) })),
      {
        label: (n) => (n.column === 0 ? `${nodeName(n)} ${tonnes(total.get(n.id) || 0)}` : nodeName(n)),
        onNode: (n) => {
          const [kind, key] = n.id.split(":");
          if (kind === "fate" && FATES.includes(key)) drill("final", key, scopeParams(), "material");
          if (kind === "stream") drill("treated", null, { ...scopeParams(), stream: key });
        },
      },
    ),
    flows.view === "materials" ? legend(FATES.concat(["pending", "loss"]).map((fate) => [fate, t(`fate.${fate}`)])) : null,
  );
  document.getElementById("sankey").dataset.view = flows.view;

  const streamTargets = (stream, measure) => {
    const found = report.checks.find(
      (c) => c.subject_kind === "scope" && c.target.stream === stream && c.target.measure === measure,
    );
    return found ? found.target.value / 100 : null;
  };
  document.getElementById("stream-bars").replaceChildren(
    bars(
      report.streams.map((s) => ({
        label: t(`stream.${s.stream}`),
        values: [s.recycling_rate, s.recovery_rate],
        targets: [streamTargets(s.stream, "recycling_rate"), streamTargets(s.stream, "recovery_rate")],
      })),
      [
        { colour: "#1f8a5b", name: t("recycling") },
        { colour: "#d08a1e", name: t("recovery") },
      ],
      (v) => pct(v),
    ),
    legend([
      ["recycling", t("recycling")],
      ["energy_recovery", t("recovery")],
    ]),
  );

  const elementTarget = (name) => {
    const found = report.checks.find((c) => c.target.measure === `element_recovery:${name}`);
    return found ? found.target.value / 100 : null;
  };
  document.getElementById("element-bars").replaceChildren(
    bars(
      f.elements
        .filter((e) => ELEMENTS.includes(e.element))
        .map((e) => ({ label: t(`el.${e.element}`), values: [e.rate], targets: [elementTarget(e.element)] })),
      [{ colour: "#2f9e6e", name: t("recycling") }],
      (v) => pct(v),
    ),
  );

  renderIndicators(report.checks.filter((c) => c.target.unit !== "%"));
  renderSites(sites.sites);
  document.getElementById("version").textContent = `targets ${report.targets_version}`;
}

function order(check) {
  const kinds = { scope: 0, weee_category: 1, model: 2, party: 3 };
  return (kinds[check.subject_kind] ?? 4) * 100 + (check.measured === null ? (check.applicable === false ? 60 : 50) : 0);
}

// The plan's units as the plan writes them (万吨, 亿吨 …) in Chinese.
const UNITS_ZH = { "10 kt": "万吨", "100 Mt": "亿吨", "100 million units": "亿台", "100 million CNY": "亿元" };
function unitName(unit) {
  return state.lang === "zh" ? UNITS_ZH[unit] || unit : unit;
}

function renderIndicators(checks) {
  const unit = (check) => (check.target.unit.includes("units") ? t("units") : check.target.unit.includes("CNY") ? t("yuan") : t("t"));
  const traced = (check) => {
    if (check.traced === null) return "—";
    return check.target.unit.includes("units") || check.target.unit.includes("CNY")
      ? number(check.traced, 0)
      : tonnes(check.traced);
  };
  const annual = (check) => {
    if (check.measured === null) return "—";
    // measured is in the target's unit; show it in tonnes, units or yuan per year.
    const factors = { "10 kt": 10000, "100 Mt": 1e8, "100 million units": 1e8, "100 million CNY": 1e8 };
    return number(check.measured * (factors[check.target.unit] || 1), check.target.unit.includes("t") && !check.target.unit.includes("units") ? 3 : 0);
  };
  const rows = checks.map((check) =>
    el(
      "tr",
      { dataset: { target: check.target.id } },
      el("td", {}, targetName(check), ...tags(check)),
      el("td", { class: "num" }, `${traced(check)} ${unit(check)}`),
      el("td", { class: "num" }, `${annual(check)} ${unit(check)}${t("per.year")}`),
      el("td", { class: "num" }, `${number(check.target.value, check.target.value % 1 ? 1 : 0)} ${unitName(check.target.unit)}`),
      el("td", { class: "num" }, check.share_of_target === null ? "—" : `${(check.share_of_target * 100).toPrecision(2)} %`),
    ),
  );
  document.getElementById("indicators").replaceChildren(
    el(
      "table",
      {},
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, t("col.indicator")),
          el("th", { class: "num" }, t("col.traced")),
          el("th", { class: "num" }, t("col.annual")),
          el("th", { class: "num" }, t("col.targetv")),
          el("th", { class: "num" }, t("col.share")),
        ),
      ),
      el("tbody", {}, rows),
    ),
  );
}

function flagTags(flags) {
  return flags.map((flag) => el("span", { class: "tag flag", dataset: { flag } }, t(`flag.${flag}`)));
}

function renderSites(sites) {
  const treating = sites.filter((s) => s.figures.treated_kg > 0 || s.flags.length);
  treating.sort((a, b) => b.figures.treated_kg - a.figures.treated_kg);
  const rows = treating.map((s) =>
    el(
      "tr",
      { class: "clickable", dataset: { site: s.site_id }, onclick: () => openSite(s.site_id) },
      el("td", {}, named(state.lang, s)),
      el("td", {}, named(state.lang, { name: s.party_name, name_zh: s.party_name_zh })),
      el("td", {}, s.region),
      el("td", { class: "num" }, tonnes(s.received_kg)),
      el("td", { class: "num" }, tonnes(s.figures.treated_kg)),
      el("td", { class: "num" }, tonnes(s.figures.recycled_kg)),
      el("td", { class: "num" }, pct(s.loss_share)),
      el("td", { class: "num" }, pct(s.figures.recycling_rate)),
      el("td", {}, flagTags(s.flags)),
    ),
  );
  document.getElementById("sites").replaceChildren(
    el(
      "div",
      { class: "scroll" },
      el(
        "table",
        { id: "sites-table" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", {}, t("col.site")),
            el("th", {}, t("col.party")),
            el("th", {}, t("col.region")),
            el("th", { class: "num" }, t("col.received")),
            el("th", { class: "num" }, t("col.treated")),
            el("th", { class: "num" }, t("col.recycled")),
            el("th", { class: "num" }, t("col.loss")),
            el("th", { class: "num" }, t("col.rate")),
            el("th", {}, t("col.flags")),
          ),
        ),
        el("tbody", {}, rows),
      ),
    ),
  );
}

function renderProducer({ producers, choices, report }) {
  const select = document.querySelector("select[name=producer]");
  select.replaceChildren(
    ...choices.map((p) =>
      el("option", { value: p.producer_id, selected: p.producer_id === state.producer }, named(state.lang, p)),
    ),
  );
  const mine = producers.producers.find((p) => p.producer_id === state.producer);
  // The target the producer's total is held to (in force on the period's last day), as the API names it.
  const target = producers.targets.find((x) => x.id === mine?.target_id) || null;
  const gapText = (gap) => (gap === null || gap === undefined ? "—" : `${gap >= 0 ? "+" : "−"}${number(Math.abs(gap) * 100, 1)} pt`);
  document.getElementById("producer-cards").replaceChildren(
    card(t("card.placed"), `${number(mine?.placed_on_market_units || 0, 0)} ${t("units")}`, kgText(mine?.placed_on_market_kg || 0)),
    card(t("card.collected"), `${number(mine?.collected_units || 0, 0)} ${t("units")}`),
    card(t("card.properly"), `${number(mine?.properly_treated_units || 0, 0)} ${t("units")}`),
    card(
      t("card.epr"),
      pct(mine?.rate ?? null),
      target
        ? `${t("target")} ${number(target.value, 0)} % (${named(state.lang, target)}) · ${t("gap")} ${gapText(mine?.gap)}`
        : null,
    ),
  );
  const lines = producers.lines.filter((x) => x.producer_id === state.producer);
  const eprTarget = mine?.target ?? null;
  const rows = lines.map((x) =>
    el(
      "tr",
      { dataset: { model: x.model_id } },
      el("td", {}, x.model_id, x.component ? el("span", { class: "tag" }, t("component")) : null),
      el("td", {}, x.category),
      el("td", { class: "num" }, number(x.placed_on_market_units, 0)),
      el("td", { class: "num" }, number(x.collected_units, 0)),
      el("td", { class: "num" }, number(x.treated_units, 0)),
      el("td", { class: "num" }, number(x.properly_treated_units, 0)),
      el("td", { class: "num" }, pct(x.rate)),
      el("td", { class: "num", dataset: { gap: x.gap ?? "" } }, gapText(x.gap)),
      el("td", {}, x.rate === null || x.target === null ? "" : bullet(Math.min(1, x.rate), x.target, x.rate >= x.target)),
    ),
  );
  document.getElementById("epr").replaceChildren(
    el(
      "table",
      { id: "epr-table" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, t("col.model")),
          el("th", {}, t("col.category")),
          el("th", { class: "num" }, t("col.placed")),
          el("th", { class: "num" }, t("col.collected")),
          el("th", { class: "num" }, t("col.treated.units")),
          el("th", { class: "num" }, t("col.properly")),
          el("th", { class: "num" }, t("col.epr")),
          el("th", { class: "num" }, t("col.gap")),
          el("th", {}, eprTarget === null ? t("target") : `${t("target")} ${number(eprTarget * 100, 0)} %`),
        ),
      ),
      el("tbody", {}, rows),
    ),
  );
  const checks = report ? report.checks.filter((c) => c.target.unit === "%" && c.measured !== null) : [];
  checks.sort((a, b) => order(a) - order(b));
  document.getElementById("model-bullets").replaceChildren(
    ...checks.map((check) => {
      const of = measureOf(check);
      return bulletRow(check, () => of && drill(of[0], of[1], { scope: "producer", id: state.producer }, "model"), of?.[0]);
    }),
  );
}

// -- drill-down ------------------------------------------------------------------------------------------------

function drawer(title, ...content) {
  document.getElementById("drawer-title").textContent = title;
  document.getElementById("drawer-body").replaceChildren(...content);
  document.getElementById("drawer").hidden = false;
}

async function drill(measure, fate, params, by = "site") {
  const extra = { ...params, measure, by };
  if (fate) extra.fate = fate;
  try {
    const body = await get(`${API}/drilldown?${query(extra)}`);
    const title = `${t(`measure.${measure}`)}${fate ? ` · ${t(`fate.${fate}`)}` : ""} — ${named(state.lang, body.scope)}`;
    const rows = body.rows.map((r) =>
      el(
        "tr",
        { class: by === "site" ? "clickable" : "", dataset: { key: r.key }, onclick: by === "site" ? () => openSite(r.key) : null },
        el("td", {}, named(state.lang, r)),
        el("td", { class: "num" }, tonnes(r.mass_kg)),
        el("td", { class: "num" }, number(r.count, 0)),
      ),
    );
    drawer(
      title,
      el("p", { class: "hint" }, `${t("drill.by.site")}: ${kgText(body.total_kg)}`),
      el(
        "table",
        { id: "drill-table" },
        el("thead", {}, el("tr", {}, el("th", {}, t("col.key")), el("th", { class: "num" }, t("col.contribution")), el("th", { class: "num" }, "n"))),
        el("tbody", {}, rows),
      ),
    );
  } catch (error) {
    status(`${t("failed")}: ${error.message}`, true);
  }
}

async function openSite(siteId) {
  try {
    const [report, records] = await Promise.all([
      get(`${API}/recovery?${query({ scope: "site", id: siteId })}`),
      get(`${API}/records?${query({ site_id: siteId, limit: 60 })}`),
    ]);
    const f = report.figures;
    const outputs = FATES.map((fate) => [fate, f.by_fate_kg[fate] || 0]).filter(([, kg]) => kg);
    const materials = report.materials.map((m) =>
      el("tr", {}, el("td", {}, m.material), el("td", {}, t(`fate.${m.fate}`)), el("td", { class: "num" }, tonnes(m.mass_kg))),
    );
    const events = records.records.map((r) =>
      el(
        "tr",
        { dataset: { event: r.event_id } },
        el("td", {}, r.event_id),
        el("td", {}, new Date(r.event_time).toLocaleString(locale(), { timeZone: "Asia/Shanghai" })),
        el("td", {}, r.direction),
        el("td", {}, r.stage || ""),
        el("td", {}, r.material),
        el("td", {}, r.fate ? t(`fate.${r.fate}`) : ""),
        el("td", { class: "num" }, number(r.mass_kg, 1)),
      ),
    );
    drawer(
      `${t("drill.site")} — ${named(state.lang, report.scope)}`,
      el(
        "div",
        { class: "cards" },
        card(t("card.treated"), kgText(f.treated_kg), `${number(f.units_treated, 0)} ${t("units")}`),
        card(t("card.recycling"), pct(f.recycling_rate)),
        card(t("card.recovery"), pct(f.recovery_rate)),
        card(t("card.loss"), kgText(f.loss_kg), pct(f.treated_kg ? f.loss_kg / f.treated_kg : null)),
      ),
      el("h3", {}, t("drill.outputs")),
      legend(outputs.map(([fate, kg]) => [fate, `${t(`fate.${fate}`)} ${kgText(kg)}`])),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, t("col.material")), el("th", {}, t("col.fate")), el("th", { class: "num" }, t("col.treated")))), el("tbody", {}, materials)),
      el("h3", {}, t("drill.records")),
      el(
        "div",
        { class: "scroll" },
        el(
          "table",
          { id: "records-table" },
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              el("th", {}, t("col.event")),
              el("th", {}, t("col.time")),
              el("th", {}, t("col.direction")),
              el("th", {}, t("col.stage")),
              el("th", {}, t("col.material")),
              el("th", {}, t("col.fate")),
              el("th", { class: "num" }, t("col.mass")),
            ),
          ),
          el("tbody", {}, events),
        ),
      ),
    );
  } catch (error) {
    status(`${t("failed")}: ${error.message}`, true);
  }
}

// -- start -----------------------------------------------------------------------------------------------------

function writeUrl() {
  const params = new URLSearchParams({ lang: state.lang, view: state.view, from: state.from, to: state.to });
  if (state.scope !== "nation") params.set("scope", state.scope);
  if (state.stream) params.set("stream", state.stream);
  if (state.producer) params.set("producer", state.producer);
  if (state.flow !== "materials") params.set("flow", state.flow);
  history.replaceState(null, "", `?${params}`);
}

function start() {
  const params = new URLSearchParams(location.search);
  state.lang = params.get("lang") === "en" ? "en" : params.get("lang") === "zh" ? "zh" : navigator.language.startsWith("zh") ? "zh" : "en";
  state.view = params.get("view") === "producer" ? "producer" : "regulator";
  state.to = params.get("to") || month(0);
  state.from = params.get("from") || month(-23);
  state.scope = params.get("scope") || "nation";
  state.stream = params.get("stream") || "";
  state.producer = params.get("producer") || "";
  state.flow = params.get("flow") === "roles" ? "roles" : "materials";
  t = translator(state.lang);
  const form = document.getElementById("filters");
  form.elements.from.value = state.from;
  form.elements.to.value = state.to;
  form.elements.scope.value = state.scope;
  form.elements.stream.value = state.stream;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.from = form.elements.from.value;
    state.to = form.elements.to.value;
    state.scope = form.elements.scope.value;
    state.stream = form.elements.stream.value;
    state.producer = form.elements.producer.value || state.producer;
    writeUrl();
    load();
  });
  form.elements.producer.addEventListener("change", () => {
    state.producer = form.elements.producer.value;
    writeUrl();
    load();
  });
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      state.lang = button.dataset.lang;
      t = translator(state.lang);
      writeUrl();
      render();
    });
  }
  for (const button of document.querySelectorAll("button[data-view]")) {
    button.addEventListener("click", () => {
      state.view = button.dataset.view;
      writeUrl();
      translatePage();
      load();
    });
  }
  for (const button of document.querySelectorAll("[data-flow]")) {
    button.addEventListener("click", () => {
      state.flow = button.dataset.flow;
      writeUrl();
      translatePage();
      load();
    });
  }
  document.getElementById("drawer-close").addEventListener("click", () => {
    document.getElementById("drawer").hidden = true;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") document.getElementById("drawer").hidden = true;
  });
  writeUrl();
  translatePage();
  load();
}

start();
