// Starts GraphiQL (loaded just before from this server, with React and ReactDOM) on the page's <main>: queries and
// mutations over HTTP to the GraphQL endpoint, subscriptions over a websocket to it (graphql-transport-ws), and the
// example queries on the demo data as its tabs.
"use strict";

(function () {
  // The page is served at the GraphQL endpoint itself (/graphql), so its own address is the endpoint's.
  const endpoint = window.location.origin + window.location.pathname;
  const socketScheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const subscriptionEndpoint = socketScheme + "//" + window.location.host + window.location.pathname;

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  // The title heads the query as a comment, so a newcomer sees what the example asks; GraphiQL names the tab after
  // the operation (TvByQrCode …).
  const tabs = readJson("trace-examples").map(function (example) {
    const hasVariables = Object.keys(example.variables).length > 0;
    return {
      query: "# " + example.title + "\n# " + example.title_zh + "\n" + example.query,
      variables: hasVariables ? JSON.stringify(example.variables, null, 2) : null,
    };
  });

  // GraphiQL keeps the tabs in the browser; the namespace changes with the examples (see ide.py).
  const storage = GraphiQL.createLocalStorage({ namespace: readJson("trace-storage") });
  const props = {
    fetcher: GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: subscriptionEndpoint }),
    defaultTabs: tabs,
    defaultEditorToolsVisibility: "variables",
    storage: storage,
  };
  // GraphiQL 3 fills the first tab's editors from its props or its storage, not from defaultTabs: on a first visit
  // (nothing stored yet) the first example is handed over as props, or its variables would show empty.
  if (storage.getItem("tabState") === null) {
    props.query = tabs[0].query;
    props.variables = tabs[0].variables;
  }
  const ide = React.createElement(GraphiQL, props);
  ReactDOM.createRoot(document.getElementById("graphiql")).render(ide);
})();
