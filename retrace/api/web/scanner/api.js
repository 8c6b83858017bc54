// The platform's APIs, as the scanner page uses them: the REST API for items and events, GraphQL for the lists of
// registered parties, sites and product models. The requests themselves (and the error types) are outbox.js's,
// which the service worker shares.

import "./outbox.js";

const { ApiError, NetworkError, request, apiUrl } = self.TraceOutbox;
export { ApiError, NetworkError };

// Any identifier as scanned (a Digital Link has slashes and a colon): encoded whole, the API accepts it.
const itemPath = (code) => `items/${encodeURIComponent(code)}`;

export const getItem = (code) => request("GET", apiUrl(itemPath(code)));
export const getHistory = (code) => request("GET", apiUrl(`${itemPath(code)}/history`));
export const getCustody = (code) => request("GET", apiUrl(`${itemPath(code)}/custody`));

const GRAPHQL = new URL("../graphql", document.baseURI);

/** A GraphQL query; its data, or ApiError with the first error's code (GraphQL answers errors with status 200). */
export async function graphql(query, variables) {
  const answer = await request("POST", GRAPHQL, { query, variables });
  if (answer && Array.isArray(answer.errors) && answer.errors.length) {
    const first = answer.errors[0];
    const extensions = first.extensions || {};
    throw new ApiError(400, { error: { code: extensions.code || "GRAPHQL_ERROR", message: first.message, message_zh: extensions.message_zh } });
  }
  return answer ? answer.data : null;
}
