// The platform's REST API, as the scanner uses it. Relative to the page, so a reverse proxy that serves the app
// under a path prefix still works.

const API = new URL("../api/v1/", document.baseURI);
const TIMEOUT_MS = 15000;

/** The server answered with an error body ({"error": {code, message, message_zh, field, details}}). */
export class ApiError extends Error {
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
export class NetworkError extends Error {}

async function request(method, path, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(new URL(path, API), {
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

// Any identifier as scanned (a Digital Link has slashes and a colon): encoded whole, the API accepts it.
const itemPath = (code) => `items/${encodeURIComponent(code)}`;

export const getItem = (code) => request("GET", itemPath(code));
export const getHistory = (code) => request("GET", `${itemPath(code)}/history`);
export const getCustody = (code) => request("GET", `${itemPath(code)}/custody`);
export const postEvents = (events) => request("POST", "events", { events });
