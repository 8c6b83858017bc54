// The mobile scanner: scan or type a code, see the item, record what was done to it. Every recorded event goes to
// the device's queue first (queue.js) and is sent from there, so the same path serves a yard with and without
// signal. Texts come from i18n.js; server data is only ever put into the page as text, never as HTML.

import { ApiError, NetworkError, getCustody, getHistory, getItem } from "./api.js";
import { createDetector } from "./detector.js";
import { applyTo, formatKg, formatTime, has, initialLanguage, language, setLanguage, t } from "./i18n.js";
import * as queue from "./queue.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const SETTINGS_KEY = "trace-scanner.settings";
const RECENT_KEY = "trace-scanner.recent";
const CURRENT_KEY = "trace-scanner.code"; // the item on screen, brought back after a reload (per tab)
const TERMINAL = new Set(["dismantled", "consumed", "disposed", "voided"]);
const FATES = ["reuse", "remanufacture", "recycling", "energy_recovery", "disposal", "unknown"];
const MASS = /^\d{1,8}([.,]\d{1,3})?$/;

// Fractions a dismantler of each stream usually sorts out (codes as the platform's demo data uses them).
const MATERIALS = {
  weee: ["ferrous", "copper", "aluminium", "plastics", "pcb", "cables", "glass", "lcd_panel", "pu_foam", "refrigerant", "other"],
  elv: ["vehicle_hulk", "ferrous", "aluminium", "copper", "plastics", "glass", "tyres", "fluids", "lead_acid_battery", "catalytic_converter", "other"],
  battery: ["black_mass", "aluminium", "copper", "ferrous", "plastics", "electrolyte", "other"],
};
const DEFAULT_FATE = {
  pu_foam: "energy_recovery",
  tyres: "energy_recovery",
  fluids: "energy_recovery",
  rubber: "energy_recovery",
  compressor_oil: "energy_recovery",
  refrigerant: "disposal",
  concrete: "disposal",
  other: "disposal",
};

const state = {
  code: null, // the code as scanned or typed: events name the object by it
  item: null,
  history: null,
  custody: null,
  source: null, // "live", "cache" (offline, last answer) or "unknown" (offline, never seen)
  seenAt: null,
  sending: new Set(),
  camera: null,
  detector: null,
  retryTimer: null,
  retryDelay: 2000,
};

// -- small helpers ----------------------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

function settings() {
  try {
    return JSON.parse(localStorage.getItem(SETTINGS_KEY)) || {};
  } catch {
    return {};
  }
}

function saveSettings(values) {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify({ ...settings(), ...values }));
  renderDevice();
}

/** Values typed before (parties, sites, models), offered again: typing ids with gloves is slow. */
function recent(kind) {
  try {
    return (JSON.parse(localStorage.getItem(RECENT_KEY)) || {})[kind] || [];
  } catch {
    return [];
  }
}

function remember(kind, value) {
  if (!value) return;
  let all = {};
  try {
    all = JSON.parse(localStorage.getItem(RECENT_KEY)) || {};
  } catch {
    all = {};
  }
  all[kind] = [value, ...(all[kind] || []).filter((v) => v !== value)].slice(0, 12);
  localStorage.setItem(RECENT_KEY, JSON.stringify(all));
}

function datalist(id, values) {
  return el("datalist", { id }, values.map((v) => el("option", { value: v })));
}

let toastTimer = null;
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), 3500);
}

function errorText(error) {
  if (error instanceof ApiError) return `${language() === "zh" ? error.messageZh : error.message} (${error.code})`;
  return String(error && error.message ? error.message : error);
}

function label(prefix, value) {
  return value ? t(`${prefix}.${value}`) : "—";
}

function materialName(code) {
  return has(`material.${code}`) ? `${t(`material.${code}`)} (${code})` : code;
}

// -- the device: who records, where ----------------------------------------------------------------------------

function renderDevice() {
  const s = settings();
  $("device").textContent = s.party && s.site ? `${t("by")} ${s.party} · ${t("at")} ${s.site}` : t("settings_needed");
}

function openSettings(then) {
  const s = settings();
  const party = el("input", { id: "set-party", name: "party", value: s.party || "", autocapitalize: "off", spellcheck: "false", list: "dl-parties" });
  const site = el("input", { id: "set-site", name: "site", value: s.site || "", autocapitalize: "off", spellcheck: "false", list: "dl-sites" });
  openSheet({
    title: t("settings_title"),
    submit: t("save"),
    body: [
      el("p", { class: "small", text: t("settings_text") }),
      el("label", { for: "set-party", text: t("party_id") }),
      party,
      datalist("dl-parties", recent("party")),
      el("label", { for: "set-site", text: t("site_id") }),
      site,
      datalist("dl-sites", recent("site")),
    ],
    onSubmit: () => {
      if (!party.value.trim() || !site.value.trim()) return t("settings_needed");
      saveSettings({ party: party.value.trim(), site: site.value.trim() });
      remember("party", party.value.trim());
      remember("site", site.value.trim());
      if (then) setTimeout(then, 0);
      return null;
    },
  });
}

// -- looking an item up ------------------------------------------------------------------------------------------

async function lookup(raw, quiet) {
  const code = (raw || "").trim();
  if (!code) return;
  $("code").value = code;
  sessionStorage.setItem(CURRENT_KEY, code);
  if (!quiet) showNotice(t("looking_up", { code }), false);
  try {
    // Known to be offline: answer from the device at once instead of waiting for three failing requests.
    if (!navigator.onLine) throw new NetworkError("offline");
    const [item, history, custody] = await Promise.all([getItem(code), getHistory(code), getCustody(code)]);
    Object.assign(state, { code, item, history: history.events, custody: custody.custody, source: "live", seenAt: Date.now() });
    showNotice(null);
    queue.rememberItem(code, { item, history: history.events, custody: custody.custody }).catch(() => {});
  } catch (error) {
    if (error instanceof NetworkError) {
      const cached = await queue.recallItem(code).catch(() => null);
      if (cached) {
        Object.assign(state, { code, ...cached.view, source: "cache", seenAt: cached.seen_at });
        showNotice(t("offline_cached", { when: formatTime(new Date(cached.seen_at).toISOString()) }), false);
      } else {
        Object.assign(state, { code, item: null, history: null, custody: null, source: "unknown", seenAt: null });
        showNotice(t("offline_unknown"), false);
      }
    } else {
      Object.assign(state, { code: null, item: null, history: null, custody: null, source: null });
      const text = error instanceof ApiError && error.status === 404 ? `${t("not_found")} ${errorText(error)}` : `${t("lookup_failed")}: ${errorText(error)}`;
      showNotice(text, true);
    }
  }
  renderItem();
}

function showNotice(text, bad) {
  const box = $("notice");
  box.hidden = !text;
  box.textContent = text || "";
  box.classList.toggle("bad", Boolean(bad));
}

function renderItem() {
  const { item } = state;
  $("welcome").hidden = Boolean(state.code);
  const card = $("item");
  const custody = $("custody");
  const timeline = $("history");
  card.replaceChildren();
  custody.replaceChildren();
  timeline.replaceChildren();
  card.hidden = custody.hidden = timeline.hidden = !item;
  updateActions();
  if (!item) return;
  card.dataset.itemId = item.id;
  const what = item.kind === "lot" ? materialName(item.material || "") : item.category || item.model_id || item.id;
  const facts = [
    ["stream", label("stream", item.stream)],
    ["mass", `${formatKg(item.mass_kg)} ${t("kg")}`],
    ["holder", item.holder_id || "—"],
    ["site", item.site_id || "—"],
  ];
  if (item.in_transit_to) facts.push(["in_transit_to", item.in_transit_to]);
  if (item.model_id) facts.push(["model", item.model_id]);
  if (item.fate) facts.push(["fate", label("fate", item.fate)]);
  if (item.parent_id) facts.push(["container", item.parent_id]);
  card.append(
    el(
      "div",
      { class: "item-head" },
      el("h2", { id: "item-title", text: `${t(item.kind === "lot" ? "lot" : "item")}: ${what}` }),
      el("span", { id: "item-status", class: `badge ${item.status}`, dataset: { status: item.status }, text: label("status", item.status) }),
    ),
    el("dl", { class: "facts" }, facts.map(([key, value]) => [el("dt", { text: t(key) }), el("dd", { dataset: { fact: key }, text: value })])),
    el("h3", { text: t("identifiers") }),
    el(
      "ul",
      { class: "ids", id: "item-identifiers" },
      item.identifiers.map((i) => el("li", {}, el("span", { class: "scheme", text: `${i.scheme}: ` }), i.value)),
    ),
  );

  custody.append(el("h2", { text: t("custody_title") }));
  const spans = state.custody || [];
  custody.append(
    spans.length
      ? el(
          "ol",
          { class: "timeline", id: "custody-list" },
          [...spans].reverse().map((s) =>
            el(
              "li",
              { dataset: { party: s.party_id } },
              el("strong", { text: s.party_id }),
              s.site_id ? ` · ${s.site_id}` : "",
              el("div", { class: "when", text: `${formatTime(s.start)} → ${s.end ? formatTime(s.end) : t("until_now")}` }),
            ),
          ),
        )
      : el("p", { class: "empty", text: t("no_custody") }),
  );

  timeline.append(el("h2", { text: t("history_title") }));
  const events = state.history || [];
  timeline.append(
    events.length
      ? el(
          "ol",
          { class: "timeline", id: "history-list" },
          [...events].reverse().map((entry) => {
            const e = entry.event;
            return el(
              "li",
              { class: entry.corrected_by ? "corrected" : null, dataset: { eventId: e.event_id, type: e.type } },
              el("strong", { text: label("event", e.type) }),
              eventDetail(e),
              entry.corrected_by ? ` (${t("corrected")})` : "",
              el("div", { class: "when", text: `${formatTime(e.event_time)} · ${e.party_id} · ${e.site_id}` }),
            );
          }),
        )
      : el("p", { class: "empty", text: t("no_history") }),
  );
}

function eventDetail(e) {
  if (e.type === "ship") return ` → ${e.to_party_id}${e.to_site_id ? ` (${e.to_site_id})` : ""}`;
  if (e.type === "receive" && e.from_party_id) return ` ← ${e.from_party_id}`;
  if (e.type === "weigh") return `: ${formatKg(e.mass_kg)} ${t("kg")}`;
  if (e.type === "disassemble") {
    const outputs = [...(e.lots || []).map((l) => `${materialName(l.material)} ${formatKg(l.mass_kg)}`), ...(e.parts || []).map((p) => p.model_id)];
    return outputs.length ? `: ${outputs.join(", ")}` : "";
  }
  return "";
}

function updateActions() {
  const usable = Boolean(state.code) && !(state.item && TERMINAL.has(state.item.status));
  for (const button of document.querySelectorAll("[data-action]")) button.disabled = !usable;
  if (state.item && TERMINAL.has(state.item.status)) showNotice(t("terminal", { status: label("status", state.item.status) }), false);
}

// -- recording events --------------------------------------------------------------------------------------------

function newEvent(type, fields) {
  const s = settings();
  return {
    type,
    event_id: queue.newEventId(), // once, here: every retry sends this same id
    event_time: new Date().toISOString(), // when it was done, not when it reaches the server
    site_id: s.site,
    party_id: s.party,
    ...fields,
  };
}

async function record(event) {
  await queue.enqueue(event, state.code);
  await renderQueue();
  toast(t("queued_toast"));
  await syncNow();
}

function parseMass(text, required) {
  const value = (text || "").trim().replace(",", ".");
  if (!value) return required ? undefined : null;
  if (!MASS.test(value) || Number(value) <= 0) return undefined;
  return Number(value);
}

function massInput(id, value) {
  return el("input", { id, type: "text", inputmode: "decimal", autocomplete: "off", value: value ?? "", placeholder: "0.000" });
}

function fateSelect(id, chosen) {
  return el("select", { id }, FATES.map((f) => el("option", { value: f, selected: f === chosen, text: t(`fate.${f}`) })));
}

function startAction(kind) {
  if (!state.code) return toast(t("choose_item"));
  const s = settings();
  if (!s.party || !s.site) return openSettings(() => startAction(kind));
  ({ receive: receiveSheet, weigh: weighSheet, dismantle: dismantleSheet, ship: shipSheet })[kind]();
}

function receiveSheet() {
  const item = state.item;
  const from = el("input", {
    id: "f-from",
    autocapitalize: "off",
    spellcheck: "false",
    list: "dl-from",
    value: item && item.status === "in_transit" && item.holder_id ? item.holder_id : "",
  });
  openSheet({
    title: t("receive_title", { code: shortCode() }),
    body: [el("label", { for: "f-from", text: t("from_party") }), from, datalist("dl-from", recent("party"))],
    onSubmit: async () => {
      const fromParty = from.value.trim();
      remember("party", fromParty);
      await record(newEvent("receive", { objects: [state.code], ...(fromParty ? { from_party_id: fromParty } : {}) }));
      return null;
    },
  });
}

function weighSheet() {
  const mass = massInput("f-mass");
  openSheet({
    title: t("weigh_title", { code: shortCode() }),
    body: [
      el("label", { for: "f-mass", text: t("mass_kg") }),
      mass,
      state.item ? el("p", { class: "small", text: t("current_mass", { mass: formatKg(state.item.mass_kg) }) }) : null,
    ],
    onSubmit: async () => {
      const kg = parseMass(mass.value, true);
      if (kg === undefined) return t("need_mass");
      await record(newEvent("weigh", { object: state.code, mass_kg: kg }));
      return null;
    },
  });
}

function shipSheet() {
  const to = el("input", { id: "f-to", autocapitalize: "off", spellcheck: "false", list: "dl-to" });
  const toSite = el("input", { id: "f-to-site", autocapitalize: "off", spellcheck: "false", list: "dl-to-site" });
  openSheet({
    title: t("ship_title", { code: shortCode() }),
    body: [
      el("label", { for: "f-to", text: t("to_party") }),
      to,
      datalist("dl-to", recent("party")),
      el("label", { for: "f-to-site", text: t("to_site") }),
      toSite,
      datalist("dl-to-site", recent("site")),
    ],
    onSubmit: async () => {
      const party = to.value.trim();
      const site = toSite.value.trim();
      if (!party) return t("need_party");
      remember("party", party);
      remember("site", site);
      await record(newEvent("ship", { objects: [state.code], to_party_id: party, ...(site ? { to_site_id: site } : {}) }));
      return null;
    },
  });
}

let outputSeq = 0;

function dismantleSheet() {
  const item = state.item;
  const stream = item ? item.stream : null;
  const lines = el("div", { id: "outputs" });
  const total = el("p", { class: "total", id: "outputs-total" });

  const refreshTotal = () => {
    let sum = 0;
    for (const input of lines.querySelectorAll("input[data-mass]")) sum += Number((input.value || "0").replace(",", ".")) || 0;
    const mass = item ? Number(item.mass_kg) : null;
    total.textContent = mass ? t("outputs_total", { sum: formatKg(sum), mass: formatKg(mass) }) : `${formatKg(sum)} ${t("kg")}`;
    const over = mass !== null && sum > mass * 1.02;
    total.classList.toggle("over", over);
    if (over) total.textContent += ` — ${t("outputs_over")}`;
  };

  const addFraction = (material) => {
    const n = ++outputSeq;
    const line = el(
      "div",
      { class: "output", dataset: { kind: "lot" } },
      el("div", { class: "head" }, el("span", { text: t("add_fraction") }), el("button", { type: "button", onclick: () => (line.remove(), refreshTotal()), text: t("remove") })),
      el("label", { for: `o-mat-${n}`, text: t("material") }),
      el("input", { id: `o-mat-${n}`, dataset: { material: "" }, value: material || "", list: "dl-materials", autocapitalize: "off", spellcheck: "false" }),
      el(
        "div",
        { class: "grid" },
        el("div", {}, el("label", { for: `o-mass-${n}`, text: t("mass_kg") }), Object.assign(massInput(`o-mass-${n}`), { oninput: refreshTotal })),
        el("div", {}, el("label", { for: `o-fate-${n}`, text: t("fate") }), fateSelect(`o-fate-${n}`, DEFAULT_FATE[material] || "recycling")),
      ),
    );
    line.querySelector(`#o-mass-${n}`).dataset.mass = "";
    lines.append(line);
    refreshTotal();
    line.querySelector(material ? `#o-mass-${n}` : `#o-mat-${n}`).focus();
  };

  const addPart = () => {
    const n = ++outputSeq;
    const line = el(
      "div",
      { class: "output", dataset: { kind: "part" } },
      el("div", { class: "head" }, el("span", { text: t("part") }), el("button", { type: "button", onclick: () => (line.remove(), refreshTotal()), text: t("remove") })),
      el("label", { for: `p-code-${n}`, text: t("part_code") }),
      el("input", { id: `p-code-${n}`, dataset: { partCode: "" }, autocapitalize: "off", spellcheck: "false" }),
      el("label", { for: `p-model-${n}`, text: t("part_model") }),
      el("input", { id: `p-model-${n}`, dataset: { partModel: "" }, list: "dl-models", autocapitalize: "off", spellcheck: "false" }),
      el(
        "div",
        { class: "grid" },
        el("div", {}, el("label", { for: `p-mass-${n}`, text: t("mass_kg") }), Object.assign(massInput(`p-mass-${n}`), { oninput: refreshTotal })),
        el("div", {}, el("label", { for: `p-fate-${n}`, text: t("fate") }), fateSelect(`p-fate-${n}`, stream === "elv" ? "remanufacture" : "reuse")),
      ),
    );
    line.querySelector(`#p-mass-${n}`).dataset.mass = "";
    lines.append(line);
    refreshTotal();
    line.querySelector(`#p-code-${n}`).focus();
  };

  const materials = MATERIALS[stream] || [...new Set([...MATERIALS.weee, ...MATERIALS.elv, ...MATERIALS.battery])];
  openSheet({
    title: t("dismantle_title", { code: shortCode() }),
    body: [
      el("p", { class: "small", text: t("dismantle_text") }),
      el(
        "div",
        { class: "chips", id: "material-chips" },
        materials.map((m) => el("button", { type: "button", dataset: { material: m }, onclick: () => addFraction(m), text: has(`material.${m}`) ? t(`material.${m}`) : m })),
        el("button", { type: "button", id: "add-fraction", onclick: () => addFraction(""), text: `+ ${t("add_fraction")}` }),
        el("button", { type: "button", id: "add-part", onclick: addPart, text: t("add_part") }),
      ),
      lines,
      total,
      datalist("dl-materials", [...new Set([...MATERIALS.weee, ...MATERIALS.elv, ...MATERIALS.battery])]),
      datalist("dl-models", recent("model")),
    ],
    onSubmit: async () => {
      const lots = [];
      const parts = [];
      for (const line of lines.querySelectorAll(".output")) {
        const massField = line.querySelector("input[data-mass]");
        const fate = line.querySelector("select").value;
        if (line.dataset.kind === "lot") {
          const material = line.querySelector("input[data-material]").value.trim().toLowerCase().replace(/\s+/g, "_");
          const kg = parseMass(massField.value, true);
          if (!material) return `${t("material")}: ${t("need_value")}`;
          if (kg === undefined) return `${materialName(material)}: ${t("need_mass")}`;
          lots.push({ code: lotCode(material), material, mass_kg: kg, fate });
        } else {
          const partCode = line.querySelector("input[data-part-code]").value.trim();
          const model = line.querySelector("input[data-part-model]").value.trim();
          const kg = parseMass(massField.value, false);
          if (!partCode) return `${t("part_code")}: ${t("need_value")}`;
          if (!model) return `${t("part_model")}: ${t("need_value")}`;
          if (kg === undefined) return `${t("part")}: ${t("need_mass")}`;
          remember("model", model);
          parts.push({ identifiers: [partCode], model_id: model, fate, ...(kg === null ? {} : { mass_kg: kg }) });
        }
      }
      if (!lots.length && !parts.length) return t("need_outputs");
      await record(newEvent("disassemble", { object: state.code, parts, lots }));
      return null;
    },
  });
}

/** A lot's own code, made once when the dismantling is recorded: LOT-<yymmdd>-<MATERIAL>-<8 hex>. */
function lotCode(material) {
  const now = new Date();
  const date = `${String(now.getFullYear()).slice(2)}${String(now.getMonth() + 1).padStart(2, "0")}${String(now.getDate()).padStart(2, "0")}`;
  const tag = material.toUpperCase().replace(/[^A-Z0-9]+/g, "_").slice(0, 20) || "LOT";
  return `LOT-${date}-${tag}-${queue.newEventId().slice(0, 8).toUpperCase()}`;
}

function shortCode() {
  const code = state.code || "";
  return code.length > 32 ? `…${code.slice(-30)}` : code;
}

// -- the bottom sheet --------------------------------------------------------------------------------------------

let sheetSubmit = null;

function openSheet({ title, body, submit, onSubmit }) {
  $("sheet-title").textContent = title;
  $("sheet-body").replaceChildren(...body.filter(Boolean));
  $("sheet-error").textContent = "";
  $("sheet-submit").textContent = submit || t("record");
  $("sheet-submit").disabled = false;
  sheetSubmit = onSubmit;
  $("sheet").hidden = false;
  const first = $("sheet-body").querySelector("input, select");
  if (first) first.focus();
}

function closeSheet() {
  $("sheet").hidden = true;
  $("sheet-body").replaceChildren();
  sheetSubmit = null;
}

async function submitSheet(event) {
  event.preventDefault();
  if (!sheetSubmit) return;
  const button = $("sheet-submit");
  button.disabled = true; // a double tap must not record the event twice
  try {
    const problem = await sheetSubmit();
    if (problem) {
      $("sheet-error").textContent = problem;
      button.disabled = false;
      return;
    }
    closeSheet();
  } catch (error) {
    $("sheet-error").textContent = errorText(error);
    button.disabled = false;
  }
}

// -- the queue ---------------------------------------------------------------------------------------------------

async function renderQueue() {
  const [waiting, done] = await Promise.all([queue.pending(), queue.sent()]);
  const list = $("queue-list");
  list.replaceChildren(
    ...(waiting.length
      ? waiting.map((record) => {
          const sending = state.sending.has(record.event_id);
          const stateName = sending ? "sending" : record.state;
          const e = record.error;
          return el(
            "li",
            { dataset: { eventId: record.event_id, state: stateName } },
            el("strong", { text: label("event", record.event.type) }),
            ` ${record.label || ""}`,
            el("div", { class: "state", text: `${t(`state_${stateName}`)} · ${formatTime(record.event.event_time)}` }),
            e ? el("p", { class: "error", text: `${language() === "zh" ? e.message_zh : e.message} (${e.code}${e.field ? `, ${e.field}` : ""})` }) : null,
            record.state === "rejected"
              ? el(
                  "div",
                  { class: "buttons" },
                  el("button", { type: "button", onclick: () => queue.retry(record.event_id).then(renderQueue).then(syncNow), text: t("retry") }),
                  el("button", {
                    type: "button",
                    onclick: () => confirm(t("discard_confirm")) && queue.discard(record.event_id).then(renderQueue),
                    text: t("discard"),
                  }),
                )
              : null,
          );
        })
      : [el("li", { class: "empty", text: t("queue_empty") })]),
  );
  $("sent-list").replaceChildren(
    ...done.slice(0, 8).map((record) =>
      el(
        "li",
        { dataset: { eventId: record.event_id, state: record.status } },
        el("strong", { text: label("event", record.type) }),
        ` ${record.label || ""}`,
        el("div", { class: "state", text: `${t(`state_${record.status === "replayed" ? "replayed" : "created"}`)} · ${formatTime(new Date(record.synced_at).toISOString())}` }),
      ),
    ),
  );
  const count = $("queue-count");
  count.textContent = String(waiting.length);
  count.classList.toggle("zero", waiting.length === 0);
  count.classList.toggle("bad", waiting.some((r) => r.state === "rejected"));
}

async function syncNow() {
  clearTimeout(state.retryTimer);
  const outcome = await queue.sync((eventId, phase) => {
    if (phase === "sending") state.sending.add(eventId);
    else state.sending.delete(eventId);
    renderQueue();
  });
  await renderQueue();
  if (outcome.sent) {
    toast(t("sent_toast"));
    if (state.code && navigator.onLine) lookup(state.code, true);
  }
  if (outcome.refused) toast(t("rejected_toast"));
  const waiting = (await queue.pending()).some((r) => r.state === "pending");
  if (outcome.stopped && waiting) {
    // Back off while the server is away; the "online" event cuts the wait short.
    state.retryTimer = setTimeout(syncNow, state.retryDelay);
    state.retryDelay = Math.min(state.retryDelay * 2, 60000);
  } else {
    state.retryDelay = 2000;
  }
  return outcome;
}

// -- the camera --------------------------------------------------------------------------------------------------

async function startScan(onCode) {
  const overlay = $("camera");
  const status = $("camera-status");
  overlay.hidden = false;
  $("torch").hidden = true;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    status.textContent = t("camera_insecure");
    return;
  }
  status.textContent = t("camera_starting");
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch (error) {
    status.textContent = error && error.name === "NotAllowedError" ? t("camera_denied") : t("camera_unavailable", { reason: error && error.name });
    return;
  }
  if (overlay.hidden) {
    stream.getTracks().forEach((track) => track.stop()); // closed while the permission prompt was up
    return;
  }
  const video = $("video");
  video.srcObject = stream;
  state.camera = stream;
  try {
    await video.play();
  } catch {
    // autoplay of a muted inline video is allowed; if a browser still refuses, frames arrive anyway
  }
  const track = stream.getVideoTracks()[0];
  const capabilities = track && track.getCapabilities ? track.getCapabilities() : {};
  $("torch").hidden = !capabilities.torch;
  if (!state.detector) state.detector = await createDetector(params.get("decoder"));
  document.body.dataset.detector = state.detector.kind;
  $("detector-kind").textContent = t(`detector_${state.detector.kind}`);
  status.textContent = t("camera_hint");

  const tick = async () => {
    if (state.camera !== stream) return;
    let codes = [];
    try {
      if (video.readyState >= 2) codes = await state.detector.detector.detect(video);
    } catch {
      codes = [];
    }
    const found = codes.find((c) => c.rawValue && c.rawValue.trim());
    if (found && state.camera === stream) {
      stopScan();
      if (navigator.vibrate) navigator.vibrate(60);
      onCode(found.rawValue.trim());
      return;
    }
    setTimeout(tick, 120);
  };
  tick();
}

function stopScan() {
  if (state.camera) state.camera.getTracks().forEach((track) => track.stop());
  state.camera = null;
  $("video").srcObject = null;
  $("camera").hidden = true;
}

async function toggleTorch() {
  const track = state.camera && state.camera.getVideoTracks()[0];
  if (!track) return;
  const on = !(track.getSettings && track.getSettings().torch);
  try {
    await track.applyConstraints({ advanced: [{ torch: on }] });
  } catch {
    $("torch").hidden = true;
  }
}

// -- start -------------------------------------------------------------------------------------------------------

function renderNet() {
  const net = $("net");
  net.textContent = navigator.onLine ? t("online") : t("offline");
  net.classList.toggle("offline", !navigator.onLine);
}

function renderLanguageButton() {
  $("lang").textContent = language() === "zh" ? "EN" : "中文";
}

function rerender() {
  applyTo(document);
  renderLanguageButton();
  renderNet();
  renderDevice();
  renderItem();
  renderQueue();
}

function init() {
  setLanguage(params.get("lang") || initialLanguage(), Boolean(params.get("lang")));
  // A device can be set up by opening a link (or scanning a setup QR code): /scan/?party=…&site=…
  if (params.get("party") && params.get("site")) saveSettings({ party: params.get("party"), site: params.get("site") });

  $("lang").addEventListener("click", () => {
    setLanguage(language() === "zh" ? "en" : "zh", true);
    rerender();
  });
  $("open-settings").addEventListener("click", () => openSettings());
  $("lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    lookup($("code").value);
  });
  $("scan").addEventListener("click", () => startScan((code) => lookup(code)));
  $("camera-close").addEventListener("click", stopScan);
  $("torch").addEventListener("click", toggleTorch);
  for (const button of document.querySelectorAll("[data-action]")) button.addEventListener("click", () => startAction(button.dataset.action));
  $("sheet-form").addEventListener("submit", submitSheet);
  $("sheet-cancel").addEventListener("click", closeSheet);
  $("queue-button").addEventListener("click", () => $("queue-panel").scrollIntoView({ behavior: "smooth", block: "start" }));
  $("sync-now").addEventListener("click", syncNow);
  window.addEventListener("online", () => {
    renderNet();
    syncNow();
  });
  window.addEventListener("offline", renderNet);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow();
    else stopScan(); // never keep the camera on in the background
  });
  new ResizeObserver(() => document.documentElement.style.setProperty("--dock-height", `${$("dock").offsetHeight}px`)).observe($("dock"));

  rerender();
  const code = params.get("code") || sessionStorage.getItem(CURRENT_KEY);
  if (code) lookup(code);
  if (params.has("party") || params.has("lang") || params.has("code")) {
    const keep = new URLSearchParams(location.search);
    for (const key of ["party", "site", "lang", "code"]) keep.delete(key);
    history.replaceState(null, "", `${location.pathname}${keep.toString() ? `?${keep}` : ""}`);
  }
  syncNow().finally(() => {
    document.body.dataset.ready = "true";
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("sw.js").catch((error) => console.warn("service worker not registered", error));
  }
}

init();
