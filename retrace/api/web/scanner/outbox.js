// The device's outbox, shared by the page and its service worker: every event is written to IndexedDB before it is
// sent, and leaves the queue only when the server has answered that it is recorded (created, or already recorded:
// a replay). The event id is generated once, when the person records the event, and travels with it through every
// retry, so a retry after a lost answer is a harmless replay on the server: nothing is lost and nothing is counted
// twice.
//
// A plain script, not a module: the service worker loads it with importScripts (module service workers are missing
// in Firefox before 147, and the shell must install there too); the page imports it for its effect. Either way it
// defines self.TraceOutbox and nothing else.

(function (scope) {
  "use strict";

  // Relative to the scanner's folder (/scan/), so a reverse proxy that serves the app under a path prefix works.
  const inWorker = typeof ServiceWorkerGlobalScope !== "undefined" && scope instanceof ServiceWorkerGlobalScope;
  const BASE = inWorker ? scope.registration.scope : scope.document.baseURI;
  const API = new URL("../api/v1/", BASE);
  const TIMEOUT_MS = 15000;
  const SYNC_LOCK = "trace-scanner-sync";

  const DB_NAME = "trace-scanner";
  const DB_VERSION = 1;
  const QUEUE = "queue"; // waiting or refused events, by event_id
  const SENT = "sent"; // the last events the server acknowledged, for the person's peace of mind
  const ITEMS = "items"; // the last answer for each looked-up code, shown when offline
  const SENT_KEPT = 30;
  const ITEMS_KEPT = 200;

  /** The server answered with an error body ({"error": {code, message, message_zh, field, details}}). */
  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || `HTTP ${status}`);
      this.status = status;
      this.code = error.code || `HTTP_${status}`;
      this.messageZh = error.message_zh || this.message;
      this.field = error.field || null;
      this.details = error.details || {};
    }

    /** Worth sending again later: the store was away, the server overloaded or restarting. */
    get transient() {
      return this.status >= 500 || this.status === 408 || this.status === 429;
    }
  }

  /** No answer at all: offline, the server unreachable, or no answer in time. */
  class NetworkError extends Error {}

  /** One JSON request to ``url``; the parsed answer, or ApiError / NetworkError. */
  async function request(method, url, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json", accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        signal: controller.signal,
      });
    } catch (e) {
      throw new NetworkError(e && e.name === "AbortError" ? "timeout" : String(e));
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      // a proxy's HTML error page: the status alone tells what happened
    }
    if (response.ok) return data;
    throw new ApiError(response.status, data);
  }

  const apiUrl = (path) => new URL(path, API);
  const postEvents = (events) => request("POST", apiUrl("events"), { events });

  let dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open(DB_NAME, DB_VERSION);
        open.onupgradeneeded = () => {
          const d = open.result;
          d.createObjectStore(QUEUE, { keyPath: "event_id" }).createIndex("seq", "seq");
          d.createObjectStore(SENT, { keyPath: "event_id" }).createIndex("synced_at", "synced_at");
          d.createObjectStore(ITEMS, { keyPath: "code" }).createIndex("seen_at", "seen_at");
        };
        open.onsuccess = () => {
          const d = open.result;
          // A newer version of the app (another tab, the service worker) may upgrade the database: let it.
          d.onversionchange = () => {
            d.close();
            dbPromise = null;
          };
          resolve(d);
        };
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }

  function done(tx) {
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    });
  }

  function result(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  async function all(store, index) {
    const tx = (await db()).transaction(store, "readonly");
    return result(tx.objectStore(store).index(index).getAll());
  }

  /** A random UUID, once per event. crypto.randomUUID exists only on https and localhost; on a plain-http LAN
   * address the same version-4 UUID is made from crypto.getRandomValues, which every context has. */
  function newEventId() {
    if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  let lastSeq = 0;

  /** Keep ``event`` (with its event_id already set) until the server acknowledges it. */
  async function enqueue(event, label) {
    // Strictly increasing, so events go out in the order they were recorded even within one millisecond.
    lastSeq = Math.max(Date.now(), lastSeq + 1);
    const tx = (await db()).transaction(QUEUE, "readwrite");
    tx.objectStore(QUEUE).add({ event_id: event.event_id, event, label, seq: lastSeq, state: "pending", error: null });
    await done(tx);
  }

  const pending = () => all(QUEUE, "seq");
  const sent = async () => (await all(SENT, "synced_at")).reverse();

  /** Put a refused event back in line (e.g. after the site was registered). */
  async function retry(eventId) {
    const tx = (await db()).transaction(QUEUE, "readwrite");
    const store = tx.objectStore(QUEUE);
    const record = await result(store.get(eventId));
    if (record) store.put({ ...record, state: "pending", error: null });
    await done(tx);
  }

  /** Drop a refused event: only on the person's explicit request. */
  async function discard(eventId) {
    const tx = (await db()).transaction(QUEUE, "readwrite");
    tx.objectStore(QUEUE).delete(eventId);
    await done(tx);
  }

  async function acknowledge(record, status, via) {
    const tx = (await db()).transaction([QUEUE, SENT], "readwrite");
    tx.objectStore(QUEUE).delete(record.event_id);
    const sentStore = tx.objectStore(SENT);
    sentStore.put({ event_id: record.event_id, label: record.label, type: record.event.type, status, via, synced_at: Date.now() });
    const keys = await result(sentStore.index("synced_at").getAllKeys());
    for (const key of keys.slice(0, Math.max(0, keys.length - SENT_KEPT))) sentStore.delete(key);
    await done(tx);
  }

  async function refuse(record, error) {
    const tx = (await db()).transaction(QUEUE, "readwrite");
    const store = tx.objectStore(QUEUE);
    const current = await result(store.get(record.event_id));
    if (current) {
      const nested = error.details && Array.isArray(error.details.errors) ? error.details.errors[0] : null;
      store.put({
        ...current,
        state: "rejected",
        error: {
          status: error.status,
          code: (nested && nested.code) || error.code,
          message: (nested && nested.message) || error.message,
          message_zh: (nested && nested.message_zh) || error.messageZh,
          field: (nested && nested.field) || error.field,
        },
      });
    }
    await done(tx);
  }

  let running = null;

  /** Send the waiting events, oldest first, one per request (a refusal then names its event, and the rest go on).
   * Resolves to {sent, refused, stopped}: ``stopped`` is the reason to try again later (offline, server away).
   * ``via`` ("page" or "background") is kept with each acknowledged event, to show who sent it.
   * Only one sync runs at a time in a page or worker; across tabs and the service worker a Web Lock keeps them
   * apart, and each reads the queue afresh inside the lock, so an event another one acknowledged is not sent again
   * (where a browser has no Web Locks it has no background sync either, and if two tabs still raced, the server
   * would answer the second with a replay: stored once). */
  function sync(onProgress, via) {
    if (running) return running;
    const work = async () => {
      const outcome = { sent: 0, refused: 0, stopped: null };
      const tried = new Set();
      for (;;) {
        // Read the queue again each time: an event recorded while this sync runs is sent by it too.
        const record = (await pending()).find((r) => r.state === "pending" && !tried.has(r.event_id));
        if (!record) break;
        tried.add(record.event_id);
        if (!navigator.onLine) {
          outcome.stopped = "offline";
          break;
        }
        onProgress && onProgress(record.event_id, "sending");
        try {
          const answer = await postEvents([record.event]);
          const status = answer && answer.outcomes && answer.outcomes[0] ? answer.outcomes[0].status : "created";
          await acknowledge(record, status, via || "page");
          outcome.sent += 1;
        } catch (e) {
          if (e instanceof ApiError && !e.transient) {
            await refuse(record, e);
            outcome.refused += 1;
          } else {
            outcome.stopped = e instanceof NetworkError ? "network" : e instanceof ApiError ? e.code : String(e);
            break;
          }
        } finally {
          onProgress && onProgress(record.event_id, "done");
        }
      }
      return outcome;
    };
    const locked = navigator.locks ? navigator.locks.request(SYNC_LOCK, work) : work();
    running = locked.finally(() => {
      running = null;
    });
    return running;
  }

  /** Remember the last answer for a looked-up code, to show it when offline. */
  async function rememberItem(code, view) {
    const tx = (await db()).transaction(ITEMS, "readwrite");
    const store = tx.objectStore(ITEMS);
    store.put({ code, view, seen_at: Date.now() });
    const keys = await result(store.index("seen_at").getAllKeys());
    for (const key of keys.slice(0, Math.max(0, keys.length - ITEMS_KEPT))) store.delete(key);
    await done(tx);
  }

  async function recallItem(code) {
    const tx = (await db()).transaction(ITEMS, "readonly");
    return result(tx.objectStore(ITEMS).get(code));
  }

  scope.TraceOutbox = Object.freeze({
    ApiError,
    NetworkError,
    request,
    apiUrl,
    newEventId,
    enqueue,
    pending,
    sent,
    retry,
    discard,
    sync,
    rememberItem,
    recallItem,
    // The tag of the background sync the page registers and the service worker answers.
    SYNC_TAG: "trace-scanner-outbox",
  });
})(self);
