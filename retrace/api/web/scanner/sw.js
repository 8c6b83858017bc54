// The scanner's service worker: keeps the app shell (this folder's files) so the scanner opens with no network.
// The server fills in VERSION (a hash of the shell's files) and SHELL when it serves this file, so any change to a
// file installs a new worker and a new cache, and old caches are dropped. The API is never cached here: item
// lookups and event capture always go to the network (the page keeps its own offline queue in IndexedDB).
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
