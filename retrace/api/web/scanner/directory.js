// The platform's registered parties (with their roles and licences), sites and product models, for the pick lists.
// Loaded from GraphQL whenever the page starts online, and kept on the device (IndexedDB) so the lists work
// offline in a yard. Also the last choices made on this device, offered first next time.
//
// Filters follow the capture rules, so what a list offers the server accepts: a ship destination is a party that may
// hold the item's stream on the event day (a licensed role needs a licence for the stream valid that day; carriers,
// producers and owners need none; regulators hold nothing). A value not on a list can still be typed.

import { graphql } from "./api.js";
import { language } from "./i18n.js";

const DB_NAME = "trace-scanner-directory"; // its own database: the outbox's schema never has to change for it
const STORE = "lists";
const KEY = "directory";
const PAGE = 500; // the platform's largest page
const MAX_PAGES = 20; // 10 000 of each: a device list, not an export
const LAST_KEY = "trace-scanner.last";
const LICENSED_ROLES = new Set(["collector", "dismantler", "recycler", "remanufacturer"]);
// Which group a party is listed under: its first role in this order (yards first: they are who scans).
export const ROLE_ORDER = ["dismantler", "recycler", "collector", "remanufacturer", "logistics", "producer", "owner", "regulator"];

const QUERY = `query ScannerDirectory($parties: String, $sites: String, $models: String, $p: Boolean!, $s: Boolean!, $m: Boolean!) {
  parties(first: ${PAGE}, after: $parties) @include(if: $p) {
    nodes { id name name_zh roles licences { streams valid_from valid_to } }
    page_info { has_next_page end_cursor }
  }
  sites(first: ${PAGE}, after: $sites) @include(if: $s) {
    nodes { id name name_zh party_id }
    page_info { has_next_page end_cursor }
  }
  product_models(first: ${PAGE}, after: $models) @include(if: $m) {
    nodes { id name category stream producer_id }
    page_info { has_next_page end_cursor }
  }
}`;

let current = { parties: [], sites: [], models: [], fetched_at: null, source: "none" };

// -- loading and keeping -------------------------------------------------------------------------------------------

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function stored() {
  const d = await open();
  try {
    return await new Promise((resolve, reject) => {
      const get = d.transaction(STORE, "readonly").objectStore(STORE).get(KEY);
      get.onsuccess = () => resolve(get.result || null);
      get.onerror = () => reject(get.error);
    });
  } finally {
    d.close();
  }
}

async function store(value) {
  const d = await open();
  try {
    await new Promise((resolve, reject) => {
      const tx = d.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(value, KEY);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    d.close();
  }
}

const lower = (values) => (values || []).map((v) => String(v).toLowerCase());

/** What the device has: the lists as last loaded (``source`` "cache"), or empty (``source`` "none"). */
export async function loadCached() {
  try {
    const found = await stored();
    if (found) current = { ...found, source: "cache" };
  } catch {
    // no IndexedDB (a private window of some browsers): the lists stay empty, typing still works
  }
  return current;
}

/** Load every party, site and model from the platform, keep them on the device, and use them from now on. */
export async function refresh() {
  const lists = { parties: [], sites: [], models: [] };
  const after = { parties: null, sites: null, models: null };
  const more = { parties: true, sites: true, models: true };
  for (let n = 0; n < MAX_PAGES && (more.parties || more.sites || more.models); n++) {
    const data = await graphql(QUERY, { ...after, p: more.parties, s: more.sites, m: more.models });
    for (const [kind, field] of [["parties", "parties"], ["sites", "sites"], ["models", "product_models"]]) {
      if (!more[kind]) continue;
      const page = data[field];
      lists[kind].push(...page.nodes);
      more[kind] = page.page_info.has_next_page;
      after[kind] = page.page_info.end_cursor;
    }
  }
  const fresh = {
    parties: lists.parties.map((p) => ({
      id: p.id,
      name: p.name,
      name_zh: p.name_zh,
      roles: lower(p.roles),
      licences: p.licences.map((l) => ({ streams: lower(l.streams), from: l.valid_from, to: l.valid_to })),
    })),
    sites: lists.sites.map((s) => ({ id: s.id, name: s.name, name_zh: s.name_zh, party_id: s.party_id })),
    models: lists.models.map((m) => ({ id: m.id, name: m.name, category: m.category, stream: String(m.stream).toLowerCase(), producer_id: m.producer_id })),
    fetched_at: Date.now(),
  };
  await store(fresh).catch(() => {}); // still used in this page if the device cannot keep it
  current = { ...fresh, source: "live" };
  return current;
}

export const directory = () => current;

// -- what each list offers -----------------------------------------------------------------------------------------

const CJK = /[\u3400-\u9fff]/;

/** The reader's half of a name written in both languages ("Jiangnan EV sedan … / 江南纯电动轿车 …": product models
 * are registered with one name); any other name as it is. */
function inLanguage(text) {
  const halves = text.split(" / ");
  if (halves.length !== 2 || CJK.test(halves[0]) === CJK.test(halves[1])) return text;
  const chineseFirst = CJK.test(halves[0]);
  return (language() === "zh") === chineseFirst ? halves[0] : halves[1];
}

/** A registered thing's name in the reader's language (the other language if that one is missing). */
export function nameOf(entry) {
  if (!entry) return "";
  const name = language() === "zh" ? entry.name_zh || entry.name : entry.name || entry.name_zh;
  return name ? inLanguage(name) : entry.id;
}

// Looked up by id on every card and history line: indexed once per loaded copy of the lists.
let index = { of: null, parties: new Map(), sites: new Map(), models: new Map() };
function indexed() {
  if (index.of !== current) {
    const byId = (list) => new Map(list.map((entry) => [entry.id, entry]));
    index = { of: current, parties: byId(current.parties), sites: byId(current.sites), models: byId(current.models) };
  }
  return index;
}

export const party = (id) => indexed().parties.get(id) || null;
export const site = (id) => indexed().sites.get(id) || null;
export const model = (id) => indexed().models.get(id) || null;

/** The name of party, site or model ``id`` in the reader's language; null when the lists do not have it. */
export function nameFor(kind, id) {
  const entry = { party, site, model }[kind](id);
  return entry ? nameOf(entry) : null;
}

const onlyRegulator = (p) => p.roles.length > 0 && p.roles.every((r) => r === "regulator");

function primaryRole(p) {
  return ROLE_ORDER.find((role) => p.roles.includes(role)) || "other";
}

const byName = (a, b) => nameOf(a).localeCompare(nameOf(b), language() === "zh" ? "zh-CN" : "en");

/** Entries grouped for a <select>: [{key, entries}] in the order of ``order`` (unknown keys last). */
function grouped(entries, keyOf, order) {
  const groups = new Map();
  for (const entry of [...entries].sort(byName)) {
    const key = keyOf(entry);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(entry);
  }
  const rank = (key) => (order.includes(key) ? order.indexOf(key) : order.length);
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0])).map(([key, list]) => ({ key, entries: list }));
}

/** The day a capture rule checks a licence on: the event time's date (the page sends times in UTC). */
export const today = () => new Date().toISOString().slice(0, 10);

/** Whether ``p`` may take custody of an item of ``stream`` on ``day`` (any stream when ``stream`` is unknown). */
export function mayHold(p, stream, day) {
  if (onlyRegulator(p)) return false;
  if (!p.roles.some((r) => LICENSED_ROLES.has(r))) return true;
  return p.licences.some((l) => (!stream || l.streams.includes(stream)) && l.from <= day && day <= l.to);
}

/** Who can record with this device: parties that handle items (not regulators, not households and other owners). */
export function actingParties() {
  const usable = current.parties.filter((p) => p.roles.some((r) => r !== "regulator" && r !== "owner"));
  return grouped(usable, primaryRole, ROLE_ORDER);
}

/** Sites of ``partyId`` (all sites, by party, when no party is chosen or it has none listed). */
export function sitesOf(partyId) {
  const own = current.sites.filter((s) => s.party_id === partyId);
  if (own.length) return [{ key: "own", entries: [...own].sort(byName) }];
  return grouped(current.sites, (s) => s.party_id, []);
}

/** Who may hand an item over: anyone but a regulator. */
export function senders() {
  return grouped(current.parties.filter((p) => !onlyRegulator(p)), primaryRole, ROLE_ORDER);
}

/** Where an item of ``stream`` may be shipped today (see the rules at the top). */
export function destinations(stream) {
  const day = today();
  return grouped(current.parties.filter((p) => mayHold(p, stream, day)), primaryRole, ROLE_ORDER);
}

/** Product models for a part taken out of an item of ``stream``: that stream's first (an EV's pack is a battery
 * model, so the others follow). */
export function partModels(stream) {
  const order = stream ? [stream] : [];
  return grouped(current.models, (m) => m.stream, order);
}

// -- the last choices on this device -------------------------------------------------------------------------------

export function lastChoice(kind) {
  try {
    return (JSON.parse(localStorage.getItem(LAST_KEY)) || {})[kind] || null;
  } catch {
    return null;
  }
}

export function rememberChoice(kind, value) {
  if (!value) return;
  let all = {};
  try {
    all = JSON.parse(localStorage.getItem(LAST_KEY)) || {};
  } catch {
    all = {};
  }
  all[kind] = value;
  localStorage.setItem(LAST_KEY, JSON.stringify(all));
}
