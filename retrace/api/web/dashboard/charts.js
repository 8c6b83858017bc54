// Charts drawn as inline SVG with the DOM (no library, no innerHTML: names from the API are text, never markup).

const SVG = "http://www.w3.org/2000/svg";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAll(node, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAll(node, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAll(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "onclick") node.addEventListener("click", value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

export const FATE_COLOURS = {
  reuse: "#2b8a8a",
  remanufacture: "#6f5bb5",
  recycling: "#1f8a5b",
  energy_recovery: "#d08a1e",
  disposal: "#8c8c8c",
  unknown: "#c2412d",
  pending: "#b8c4bf",
  loss: "#d9c7ad",
  transfer: "#7aa6c2",
};
const STREAM_COLOURS = { weee: "#3b7dd8", elv: "#a05a2c", battery: "#2f9e6e" };
// The parties' roles, upstream to downstream (the custody Sankey).
const ROLE_COLOURS = {
  owner: "#8a8f98",
  producer: "#6b5fb5",
  collector: "#3b7dd8",
  logistics: "#7aa6c9",
  dismantler: "#a05a2c",
  remanufacturer: "#c77d2e",
  recycler: "#1f8a5b",
  regulator: "#555",
};
const CLASS_COLOURS = {
  ferrous: "#6b7b8c",
  nonferrous: "#c0883a",
  plastics: "#4fa3a5",
  tyres: "#444",
  glass: "#8fc1d4",
  battery_materials: "#2f9e6e",
  parts: "#6f5bb5",
  other: "#a9a9a9",
};

// A bullet chart: a grey scale from 0 to 100 %, the measured value as a bar, the target as a tick.
export function bullet(value, target, met) {
  const width = 300;
  const x = (v) => Math.max(0, Math.min(1, v)) * width;
  return svg(
    "svg",
    { viewBox: `0 0 ${width} 22`, preserveAspectRatio: "none", role: "img" },
    svg("rect", { x: 0, y: 3, width, height: 16, fill: "#eef1f0" }),
    svg("rect", { x: 0, y: 3, width: x(0.5), height: 16, fill: "#e3e8e6" }),
    value === null ? null : svg("rect", { x: 0, y: 7, width: x(value), height: 8, fill: met ? "#1f8a5b" : "#c2412d" }),
    svg("rect", { x: Math.max(0, x(target) - 1.5), y: 1, width: 3, height: 20, fill: "#1d2a26" }),
  );
}

// Horizontal grouped bars (0–100 %), one group per row, with optional target ticks.
export function bars(rows, series, format) {
  const label = 150;
  const width = 560;
  const barH = 12;
  const groupH = series.length * (barH + 3) + 12;
  const height = rows.length * groupH + 24;
  const scale = (v) => label + Math.max(0, Math.min(1, v)) * (width - label - 60);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    root.append(
      svg("line", { x1: scale(tick), x2: scale(tick), y1: 0, y2: height - 18, stroke: "#e3e8e6" }),
      svg("text", { x: scale(tick), y: height - 4, "text-anchor": "middle" }, `${tick * 100}%`),
    );
  }
  rows.forEach((row, i) => {
    const top = i * groupH + 4;
    root.append(svg("text", { x: 0, y: top + groupH / 2, "dominant-baseline": "middle" }, row.label));
    series.forEach((s, j) => {
      const value = row.values[j];
      const y = top + j * (barH + 3);
      if (value === null || value === undefined) return;
      const target = row.targets?.[j];
      const hasTarget = target !== undefined && target !== null;
      // The figure goes past the bar and past the target's tick, so the tick never covers it.
      const textX = scale(hasTarget ? Math.max(value, target) : value) + 5;
      root.append(
        svg("rect", { x: label, y, width: scale(value) - label, height: barH, fill: s.colour }, svg("title", {}, format(value))),
        svg("text", { x: textX, y: y + barH - 2 }, format(value)),
      );
      if (hasTarget) {
        root.append(svg("rect", { x: scale(target) - 1, y: y - 2, width: 2.5, height: barH + 4, fill: "#1d2a26" }));
      }
    });
  });
  return root;
}

export function legend(items) {
  return el(
    "div",
    { class: "legend" },
    items.map(([colour, text]) => el("span", {}, el("i", { class: `swatch-${colour}` }), text)),
  );
}

// A Sankey diagram of nodes in columns; link widths proportional to mass.
export function sankey(nodes, links, { label, onNode }) {
  const width = 760;
  const left = 170; // room for the labels of the first column, written to the left of its nodes
  const right = 140; // and of the last column, to the right
  const columns = Math.max(...nodes.map((n) => n.column), 0) + 1;
  const nodeWidth = 14;
  const gap = 14;
  const byId = new Map(nodes.map((n) => [n.id, { ...n, in: 0, out: 0 }]));
  for (const link of links) {
    byId.get(link.source).out += link.mass;
    byId.get(link.target).in += link.mass;
  }
  const size = (n) => Math.max(n.in, n.out);
  const cols = Array.from({ length: columns }, (_, c) => [...byId.values()].filter((n) => n.column === c));
  const biggest = Math.max(...cols.map((col) => col.reduce((s, n) => s + size(n), 0)), 1);
  const tallest = Math.max(...cols.map((col) => col.length), 1);
  const height = 440;
  const scale = (height - gap * tallest) / biggest;
  const x = (c) => (columns === 1 ? 0 : (c * (width - left - right - nodeWidth)) / (columns - 1)) + left;
  for (const col of cols) {
    col.sort((a, b) => size(b) - size(a));
    let y = 4;
    for (const n of col) {
      n.x = x(n.column);
      n.y = y;
      n.h = Math.max(2, size(n) * scale);
      n.outY = n.y;
      n.inY = n.y;
      y += n.h + gap;
    }
  }
  const root = svg("svg", { viewBox: `0 0 ${width} ${height + 10}`, role: "img" });
  const colourOf = (id) => {
    const [kind, key] = id.split(":");
    if (kind === "stream") return STREAM_COLOURS[key] || "#777";
    if (kind === "class") return CLASS_COLOURS[key] || "#999";
    if (kind === "role") return ROLE_COLOURS[key] || "#888";
    return FATE_COLOURS[key] || "#888";
  };
  const ordered = [...links].sort(
    (a, b) => byId.get(a.source).y - byId.get(b.source).y || byId.get(a.target).y - byId.get(b.target).y,
  );
  for (const link of ordered) {
    const a = byId.get(link.source);
    const b = byId.get(link.target);
    const w = Math.max(1, link.mass * scale);
    const y0 = a.outY + w / 2;
    const y1 = b.inY + w / 2;
    a.outY += w;
    b.inY += w;
    const x0 = a.x + nodeWidth;
    const x1 = b.x;
    const mid = (x0 + x1) / 2;
    root.append(
      svg(
        "path",
        {
          class: "link",
          d: `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1}`,
          stroke: colourOf(link.source.startsWith("stream") ? link.source : link.target),
          "stroke-width": w,
        },
        svg("title", {}, `${label(a)} → ${label(b)}: ${link.text}`),
      ),
    );
  }
  for (const n of byId.values()) {
    const right = n.column === columns - 1;
    root.append(
      svg(
        "g",
        { class: "node", dataset: { node: n.id }, onclick: () => onNode?.(n) },
        svg("rect", { x: n.x, y: n.y, width: nodeWidth, height: n.h, fill: colourOf(n.id) }),
        svg(
          "text",
          {
            x: right ? n.x + nodeWidth + 5 : n.column === 0 ? n.x - 5 : n.x + nodeWidth + 5,
            y: n.y + n.h / 2,
            "dominant-baseline": "middle",
            "text-anchor": right || n.column !== 0 ? "start" : "end",
          },
          label(n),
        ),
      ),
    );
  }
  return root;
}
