// The page's side of the outbox (outbox.js, shared with the service worker): the queue itself, and asking the
// service worker to send it in the background where the browser can (Background Sync: Chromium), so events queued
// offline go out when the network returns even if the page was closed. The page keeps sending in-page as before;
// a Web Lock held by whichever sends keeps them from sending the same event twice.

import "./outbox.js";

const outbox = self.TraceOutbox;

export const { newEventId, enqueue, pending, sent, retry, discard, sync, rememberItem, recallItem } = outbox;

/** Whether this browser sends the queue from the service worker when the page is closed. Web Locks are required:
 * without them the page and the worker could send the same event at once. */
export function backgroundSyncSupported() {
  return "serviceWorker" in navigator && "SyncManager" in self && Boolean(navigator.locks);
}

/** Ask the service worker to send the queue once the network is back. Fails quietly (the page's own sending
 * remains): no worker yet, the browser refused, or no support. Resolves to whether a sync was registered. */
export async function requestBackgroundSync() {
  if (!backgroundSyncSupported()) return false;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration || !registration.active || !registration.sync) return false;
    await registration.sync.register(outbox.SYNC_TAG);
    return true;
  } catch {
    return false;
  }
}

/** Follow what the service worker sends: ``onProgress(eventId, phase)`` per event ("sending", "done"), then
 * ``onOutcome({sent, refused, stopped})`` when it has gone through the queue. */
export function followWorker(onProgress, onOutcome) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (message) => {
    const data = message.data || {};
    if (data.source !== "trace-outbox") return;
    if (data.event_id) onProgress(data.event_id, data.phase);
    if (data.outcome) onOutcome(data.outcome);
  });
}
