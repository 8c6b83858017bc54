// The scanner's service worker: keeps the app shell (this folder's files) so the scanner opens with no network,
// and sends the device's queue in the background (Background Sync) so events recorded offline go out when the
// network returns, even if the page was closed.
// The server fills in VERSION (a hash of the shell's files) and SHELL when it serves this file, so any change to a
// file installs a new worker and a new cache, and old caches are dropped. The API is never cached here: item
// lookups and event capture always go to the network.
importScripts("outbox.js"); // the same queue and sending as the page's (self.TraceOutbox)

const VERSION = "__VERSION__";
const SHELL = "__SHELL__";
const PREFIX = "trace-scanner-shell-";
const CACHE = PREFIX + VERSION;
const SCOPE = new URL(self.registration.scope).pathname;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      // The page is one document whatever its query (?code=…, ?party=…): answer it from the cached shell.
      const hit = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
      return hit || fetch(request);
    }),
  );
});

// The page registers this sync when it could not send everything (offline, server away) or is being left with
// events still queued. The browser fires it when the network is back, page open or not. The queue is sent exactly
// as the page sends it (outbox.js): under the same Web Lock, each event read afresh from IndexedDB, removed only on
// the server's acknowledgement. Open pages are told what happens, so the visible queue stays true.
self.addEventListener("sync", (event) => {
  if (event.tag !== self.TraceOutbox.SYNC_TAG) return;
  event.waitUntil(sendQueue());
});

async function tell(message) {
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const page of pages) page.postMessage({ source: "trace-outbox", ...message });
}

async function sendQueue() {
  const outcome = await self.TraceOutbox.sync((eventId, phase) => {
    tell({ event_id: eventId, phase });
  }, "background");
  await tell({ outcome });
  // Rejecting makes the browser try again later, with its own back-off; an open page keeps trying too.
  if (outcome.stopped) throw new Error(`queue not sent: ${outcome.stopped}`);
}
