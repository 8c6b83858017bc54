// The mobile scanner: scan or type a code, see the item, record what was done to it. Every recorded event goes to
// the device's queue first (queue.js) and is sent from there, so the same path serves a yard with and without
// signal. Texts come from i18n.js; server data is only ever put into the page as text, never as HTML.

import { ApiError, NetworkError, getCustody, getHistory, getItem } from "./api.js";
import { createDetector } from "./detector.js";
import * as dir from "./directory.js";
import { applyTo, formatKg, formatTime, initialLanguage, language, setLanguage, t } from "./i18n.js";
import { categoryLabel, materialName } from "./labels.js";
import { picker } from "./picker.js";
import * as queue from "./queue.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const SETTINGS_KEY = "trace-scanner.settings";
const RECENT_KEY = "trace-scanner.recent";
const CURRENT_KEY = "trace-scanner.code"; // the item on screen, brought back after a reload (per tab)
const TERMINAL = new Set(["dismantled", "consumed", "disposed", "voided"]);
const FATES = ["reuse", "remanufacture", "recycling", "energy_recovery", "disposal", "unknown"];
const MASS = /^\d{1,8}([.,]\d{1,3})?$/;
const DIRECTORY_STALE_MS = 10 * 60 * 1000; // reload the lists on reconnecting when older than this

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
    else if (key === "dataset") {
      for (const [name, data] of Object.entries(value)) if (data !== null && data !== undefined) node.dataset[name] = data;
    }
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

/** Values typed before (parties, sites, models), offered again while typing: ids not on the platform's lists. */
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

/** A registered party, site or model as a person reads it: its name, with its id beside it in small type (in the
 * lists, shown on a tap); the id alone where the device's lists do not know it (say offline, never loaded). */
function ref(kind, id) {
  if (!id) return "—";
  const name = dir.nameFor(kind, id);
  return el(
    "span",
    { class: name ? "ref" : "ref unnamed", dataset: { ref: kind, id } },
    el("span", { class: "name", text: name || id }),
    // A space, not a margin, so that an id wrapped to the next line starts at its start; hidden with the id.
    name ? el("span", { class: "ref-more" }, " ", el("span", { class: "ref-id", text: id })) : null,
  );
}

const massText = (kg) => `${formatKg(kg)}\u00a0${t("kg")}`; // a number never ends a line without its unit

// -- the device: who records, where ----------------------------------------------------------------------------

function renderDevice() {
  const s = settings();
  // Names where the lists know them (what people recognise), the ids otherwise.
  const name = (entry, id) => (entry ? dir.nameOf(entry) : id);
  $("device").textContent =
    s.party && s.site ? `${t("by")} ${name(dir.party(s.party), s.party)} · ${t("at")} ${name(dir.site(s.site), s.site)}` : t("settings_needed");
}

// -- pick lists over the platform's parties, sites and models (directory.js) --------------------------------------

const partyText = (p) => `${dir.nameOf(p)} (${p.id})`;
const roleGroup = (key) => t(`role.${key}`);

function sitePicker(id, label, partyId, value, recents) {
  return picker({
    id,
    label,
    groups: dir.sitesOf(partyId),
    // Sites of one party need no heading; all sites are headed by their party.
    groupLabel: (partyKey) => (dir.party(partyKey) ? partyText(dir.party(partyKey)) : partyKey),
    optionText: (s) => `${dir.nameOf(s)} (${s.id})`,
    value,
    recents,
  });
}

/** When a party is chosen, its sites become the site list; a party with one site has it filled in, and a site of
 * another party is cleared (it would be refused). */
function followParty(sites, partyId) {
  sites.setGroups(dir.sitesOf(partyId));
  const own = dir.sitesOf(partyId);
  const chosen = dir.site(sites.value);
  if (own.length === 1 && own[0].key === "own" && own[0].entries.length === 1) sites.set(own[0].entries[0].id);
  else if (chosen && dir.party(partyId) && chosen.party_id !== partyId) sites.set("");
}

function directoryNote() {
  const d = dir.directory();
  if (!d.fetched_at) return el("p", { class: "small", id: "directory-note", text: t("lists_none") });
  return el("p", { class: "small", id: "directory-note", text: t("lists_from", { when: formatTime(new Date(d.fetched_at).toISOString()) }) });
}

function openSettings(then) {
  const s = settings();
  const site = sitePicker("set-site", t("site_id"), s.party, s.site, recent("site"));
  const party = picker({
    id: "set-party",
    label: t("party_id"),
    groups: dir.actingParties(),
    groupLabel: roleGroup,
    optionText: partyText,
    value: s.party,
    recents: recent("party"),
    onChange: (value) => followParty(site, value),
  });
  openSheet({
    title: t("settings_title"),
    submit: t("save"),
    body: [el("p", { class: "small", text: t("settings_text") }), ...party.nodes, ...site.nodes, directoryNote()],
    onSubmit: () => {
      if (!party.value || !site.value) return t("settings_needed");
      saveSettings({ party: party.value, site: site.value });
      remember("party", party.value);
      remember("site", site.value);
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
  // What it is, in words: a lot's material; an item's category, else its model's name; a code only as a last resort.
  const modelName = item.model_id ? dir.nameFor("model", item.model_id) : null;
  const what = item.kind === "lot" ? materialName(item.material) : categoryLabel(item.category) || modelName || item.category || item.model_id || item.id;
  const facts = [
    ["stream", label("stream", item.stream)],
    ["mass", massText(item.mass_kg)],
    ["holder", ref("party", item.holder_id), item.holder_id],
    ["site", ref("site", item.site_id), item.site_id],
  ];
  if (item.in_transit_to) facts.push(["in_transit_to", ref("party", item.in_transit_to), item.in_transit_to]);
  if (item.fate) facts.push(["fate", label("fate", item.fate)]);
  if (item.parent_id) facts.push(["container", item.parent_id]);
  card.append(
    el(
      "div",
      { class: "item-head" },
      el(
        "div",
        { class: "what" },
        el("p", { class: "kind", id: "item-kind", text: t(item.kind === "lot" ? "lot" : "item") }),
        el("h2", { id: "item-title", text: what }),
        // The model under the title: its name (unless the title already is it) with its id in small type.
        item.model_id
          ? el("p", { class: "subtitle", id: "item-model", dataset: { id: item.model_id } }, modelName === what ? el("span", { class: "ref-id", text: item.model_id }) : ref("model", item.model_id))
          : null,
      ),
      el("span", { id: "item-status", class: `badge ${item.status}`, dataset: { status: item.status }, text: label("status", item.status) }),
    ),
    el(
      "dl",
      { class: "facts" },
      facts.map(([key, value, id]) => [el("dt", { text: t(key) }), el("dd", { dataset: { fact: key, id } }, value)]),
    ),
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
              el("strong", {}, ref("party", s.party_id)),
              s.site_id ? [" · ", ref("site", s.site_id)] : "",
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
              el("strong", { text: eventName(entry) }),
              eventDetail(e),
              entry.corrected_by ? ` (${t("corrected")})` : "",
              el("div", { class: "when" }, `${formatTime(e.event_time)} · `, ref("party", e.party_id), " · ", ref("site", e.site_id)),
            );
          }),
        )
      : el("p", { class: "empty", text: t("no_history") }),
  );
}

/** An event's name as the looked-up object lived it: a car that had a pack put into it was not itself "packed into"
 * anything, so the container's side of an aggregation reads as what happened to its contents. */
function eventName(entry) {
  const e = entry.event;
  const asContainer = (e.type === "aggregate" || e.type === "disaggregate") && (entry.roles || []).includes("parent");
  return asContainer ? t(`event.${e.type}_parent`) : label("event", e.type);
}

/** What an event did, after its name: nodes (names of parties, sites and models) and text. */
function eventDetail(e) {
  if (e.type === "ship") return [" → ", ref("party", e.to_party_id), e.to_site_id ? [" (", ref("site", e.to_site_id), ")"] : ""];
  if (e.type === "receive" && e.from_party_id) return [" ← ", ref("party", e.from_party_id)];
  if (e.type === "weigh") return `${t("detail_colon")}${massText(e.mass_kg)}`;
  if (e.type === "disassemble") {
    const outputs = [
      ...(e.lots || []).map((l) => el("span", { class: "output-lot", dataset: { material: l.material } }, `${materialName(l.material)} ${massText(l.mass_kg)}`)),
      ...(e.parts || []).map((p) => ref("model", p.model_id)),
    ];
    return outputs.length ? [t("detail_colon"), outputs.flatMap((node, i) => (i ? [t("list_separator"), node] : [node]))] : "";
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
  return el("select", { id, dataset: { fate: "" } }, FATES.map((f) => el("option", { value: f, selected: f === chosen, text: t(`fate.${f}`) })));
}

function startAction(kind) {
  if (!state.code) return toast(t("choose_item"));
  const s = settings();
  if (!s.party || !s.site) return openSettings(() => startAction(kind));
  ({ receive: receiveSheet, weigh: weighSheet, dismantle: dismantleSheet, ship: shipSheet })[kind]();
}

function receiveSheet() {
  const item = state.item;
  // The party handing the item over is its holder (the shipper, while in transit). No "last choice" here: for an
  // item the device has not seen it would name the wrong party.
  const holder = item && item.holder_id && item.holder_id !== settings().party ? item.holder_id : "";
  const from = picker({
    id: "f-from",
    label: t("from_party"),
    groups: dir.senders(),
    groupLabel: roleGroup,
    optionText: partyText,
    value: holder,
    recents: recent("party"),
  });
  openSheet({
    title: t("receive_title", { code: shortCode() }),
    body: from.nodes,
    onSubmit: async () => {
      const fromParty = from.value;
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
  const stream = state.item ? state.item.stream : null;
  const lastKey = `ship:${stream || "any"}`;
  const offered = dir.destinations(stream);
  // The last destination, unless the lists no longer offer it (a licence lapsed since): the server would refuse it.
  const remembered = dir.lastChoice(lastKey) || {};
  const stillOffered = !offered.length || offered.some((g) => g.entries.some((p) => p.id === remembered.party));
  const last = stillOffered ? remembered : {};
  const toSite = sitePicker("f-to-site", t("to_site"), last.party, last.site, recent("site"));
  const to = picker({
    id: "f-to",
    label: t("to_party"),
    groups: offered,
    groupLabel: roleGroup,
    optionText: partyText,
    value: last.party,
    recents: recent("party"),
    onChange: (value) => followParty(toSite, value),
  });
  const hint = stream ? t("ship_hint", { stream: label("stream", stream) }) : t("ship_hint_any");
  openSheet({
    title: t("ship_title", { code: shortCode() }),
    body: [...to.nodes, el("p", { class: "small", id: "ship-hint", text: hint }), ...toSite.nodes],
    onSubmit: async () => {
      const party = to.value;
      const site = toSite.value;
      if (!party) return t("need_party");
      remember("party", party);
      remember("site", site);
      dir.rememberChoice(lastKey, { party, site });
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

  // The model of a part, from the registered models (the item's stream first); the last one chosen is offered.
  const partModel = (n) => {
    const chosen = picker({
      id: `p-model-${n}`,
      label: t("part_model"),
      groups: dir.partModels(stream),
      groupLabel: (key) => label("stream", key),
      optionText: (m) => `${dir.nameOf(m)} (${m.id})`,
      value: dir.lastChoice(`part-model:${stream || "any"}`),
      recents: recent("model"),
    });
    chosen.input.dataset.partModel = "";
    return chosen;
  };

  const addPart = () => {
    const n = ++outputSeq;
    const line = el(
      "div",
      { class: "output", dataset: { kind: "part" } },
      el("div", { class: "head" }, el("span", { text: t("part") }), el("button", { type: "button", onclick: () => (line.remove(), refreshTotal()), text: t("remove") })),
      el("label", { for: `p-code-${n}`, text: t("part_code") }),
      el("input", { id: `p-code-${n}`, dataset: { partCode: "" }, autocapitalize: "off", spellcheck: "false" }),
      ...partModel(n).nodes,
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
        materials.map((m) => el("button", { type: "button", dataset: { material: m }, onclick: () => addFraction(m), text: materialName(m) })),
        el("button", { type: "button", id: "add-fraction", onclick: () => addFraction(""), text: `+ ${t("add_fraction")}` }),
        el("button", { type: "button", id: "add-part", onclick: addPart, text: t("add_part") }),
      ),
      lines,
      total,
      datalist("dl-materials", [...new Set([...MATERIALS.weee, ...MATERIALS.elv, ...MATERIALS.battery])]),
    ],
    onSubmit: async () => {
      const lots = [];
      const parts = [];
      for (const line of lines.querySelectorAll(".output")) {
        const massField = line.querySelector("input[data-mass]");
        const fate = line.querySelector("select[data-fate]").value;
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
          dir.rememberChoice(`part-model:${stream || "any"}`, model);
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
        { dataset: { eventId: record.event_id, state: record.status, via: record.via || "page" } },
        el("strong", { text: label("event", record.type) }),
        ` ${record.label || ""}`,
        el("div", {
          class: "state",
          text: [
            t(`state_${record.status === "replayed" ? "replayed" : "created"}`),
            record.via === "background" ? t("sent_in_background") : null,
            formatTime(new Date(record.synced_at).toISOString()),
          ]
            .filter(Boolean)
            .join(" · "),
        }),
      ),
    ),
  );
  const count = $("queue-count");
  count.textContent = String(waiting.length);
  count.classList.toggle("zero", waiting.length === 0);
  count.classList.toggle("bad", waiting.some((r) => r.state === "rejected"));
}

/** An event being sent (by this page or by the service worker) shows as "sending"; the queue is read again. */
function showProgress(eventId, phase) {
  if (phase === "sending") state.sending.add(eventId);
  else state.sending.delete(eventId);
  renderQueue();
}

async function showOutcome(outcome) {
  await renderQueue();
  if (outcome.sent) {
    toast(t("sent_toast"));
    if (state.code && navigator.onLine) lookup(state.code, true);
  }
  if (outcome.refused) toast(t("rejected_toast"));
}

const waitingToSend = async () => (await queue.pending()).some((r) => r.state === "pending");

async function syncNow() {
  clearTimeout(state.retryTimer);
  const outcome = await queue.sync(showProgress);
  await showOutcome(outcome);
  const waiting = await waitingToSend();
  if (outcome.stopped && waiting) {
    // Back off while the server is away; the "online" event cuts the wait short. And should the page be closed
    // before then, the service worker sends the queue when the network is back (where the browser can).
    queue.requestBackgroundSync();
    state.retryTimer = setTimeout(syncNow, state.retryDelay);
    state.retryDelay = Math.min(state.retryDelay * 2, 60000);
  } else {
    state.retryDelay = 2000;
  }
  return outcome;
}

// -- the lists (parties, sites, models) ----------------------------------------------------------------------------

/** The lists this device keeps, then fresh ones from the platform when online (the page works without either). */
async function loadDirectory() {
  await dir.loadCached();
  document.body.dataset.directory = dir.directory().source;
  renderNames();
  await refreshDirectory();
}

/** What shows names from the lists, again: the lists arrive after the page (and often its item) is on screen. */
function renderNames() {
  renderDevice();
  if (state.item) renderItem();
}

async function refreshDirectory() {
  if (!navigator.onLine) return;
  try {
    await dir.refresh();
  } catch (error) {
    if (!(error instanceof NetworkError)) console.warn("lists not loaded", errorText(error));
    return;
  }
  document.body.dataset.directory = dir.directory().source;
  renderNames();
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
  // The decoder first: with none (no BarcodeDetector here, no jsQR on the server) the camera would be of no use.
  const detector = state.detector || (await createDetector(params.get("decoder")));
  document.body.dataset.detector = detector.kind;
  $("detector-kind").textContent = t(`detector_${detector.kind}`);
  if (!detector.detector) {
    status.textContent = t("detector_missing");
    return;
  }
  state.detector = detector;
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
  // In the history and custody lists a name's id shows on a tap (on the card it is always beside the name).
  $("main").addEventListener("click", (event) => {
    const named = event.target.closest(".timeline .ref:not(.unnamed)");
    if (named) named.classList.toggle("open");
  });
  window.addEventListener("online", () => {
    renderNet();
    syncNow();
    const fetched = dir.directory().fetched_at;
    if (dir.directory().source !== "live" || !fetched || Date.now() - fetched > DIRECTORY_STALE_MS) refreshDirectory();
  });
  window.addEventListener("offline", renderNet);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow();
    else {
      stopScan(); // never keep the camera on in the background
      // The page may be closed from here without another word: leave what is queued to the service worker.
      waitingToSend().then((waiting) => waiting && queue.requestBackgroundSync());
    }
  });
  queue.followWorker(showProgress, showOutcome);
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
  loadDirectory();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("sw.js").catch((error) => console.warn("service worker not registered", error));
  }
}

init();
