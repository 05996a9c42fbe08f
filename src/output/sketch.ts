/**
 * A picture of a deployment as a person would sketch it: boxes in columns (left to right, the
 * way a packet goes), links between them, each box and link tied to the verify hops that prove
 * it. Rendered as one self-contained HTML file (inline SVG and CSS: no network, no script, no
 * font to fetch), readable in a browser and printable; the layout is computed from the content.
 */

export interface HopRef {
  hop: string;
  /** Only this host's checks of the hop (default: every host's). */
  host?: string;
}

export interface SketchNode {
  id: string;
  title: string;
  lines: string[];
  column: number;
  hops?: HopRef[];
}

export interface SketchLink {
  from: string;
  to: string;
  label: string;
  hops?: HopRef[];
}

export interface Sketch {
  title: string;
  subtitle?: string;
  nodes: SketchNode[];
  links: SketchLink[];
}

export type HopState = "pass" | "fail" | "blocked" | "skip";

/** One verify check, as the picture needs it. */
export interface SketchCheck {
  hop: string;
  host: string;
  title: string;
  status: "pass" | "fail" | "skip";
  blockedBy?: string;
  evidence?: string;
}

const W = 270;
const GAP = 64;
/** Characters of 12px monospace that fit a box's width. */
const CHARS = Math.floor((W - 20) / 7.3);
const LINE = 16;
const PAD = 10;
const MARGIN = 24;
const VGAP = 22;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
/** A line cut to fit its box (the whole text stays in the title tooltip and the table). */
const cut = (s: string, chars = CHARS) => (s.length > chars ? `${s.slice(0, chars - 1)}…` : s);

const RANK: Record<HopState, number> = { fail: 3, blocked: 2, pass: 1, skip: 0 };

/** The state of what `refs` cover: its worst check (fail, then blocked, then pass); skip when none ran. */
export function stateOf(
  refs: HopRef[] | undefined,
  checks: SketchCheck[] | undefined,
): { state?: HopState; failed?: SketchCheck } {
  if (!checks || !refs?.length) return {};
  const mine = checks.filter((c) => refs.some((r) => r.hop === c.hop && (r.host === undefined || r.host === c.host)));
  if (!mine.length) return { state: "skip" };
  let state: HopState = "skip";
  for (const c of mine) {
    const s: HopState = c.status === "skip" ? (c.blockedBy ? "blocked" : "skip") : c.status;
    if (RANK[s] > RANK[state]) state = s;
  }
  return { state, failed: mine.find((c) => c.status === "fail") };
}

interface Box {
  node: SketchNode;
  x: number;
  y: number;
  h: number;
  state?: HopState;
  note?: string;
}

function layout(sketch: Sketch, checks?: SketchCheck[]): { boxes: Map<string, Box>; width: number; height: number } {
  const boxes = new Map<string, Box>();
  const columns = [...new Set(sketch.nodes.map((n) => n.column))].sort((a, b) => a - b);
  let height = 0;
  const heights = columns.map((col) =>
    sketch.nodes.filter((n) => n.column === col).reduce((sum, n) => sum + boxHeight(n, checks) + VGAP, -VGAP),
  );
  const tallest = Math.max(...heights, 0);
  columns.forEach((col, i) => {
    // each column centred on the tallest one
    let y = MARGIN + 40 + (tallest - heights[i]!) / 2;
    for (const node of sketch.nodes.filter((n) => n.column === col)) {
      const { state, failed } = stateOf(node.hops, checks);
      const h = boxHeight(node, checks);
      const note = failed ? `${failed.host}: ${failed.title}` : undefined;
      boxes.set(node.id, { node, x: MARGIN + i * (W + GAP), y, h, state, note });
      y += h + VGAP;
      height = Math.max(height, y);
    }
  });
  return { boxes, width: MARGIN * 2 + columns.length * W + (columns.length - 1) * GAP, height: height + MARGIN };
}

function boxHeight(n: SketchNode, checks?: SketchCheck[]): number {
  const failed = stateOf(n.hops, checks).failed;
  return PAD * 2 + LINE * (1 + n.lines.length + (failed ? 2 : 0));
}

function svgOf(sketch: Sketch, checks?: SketchCheck[]): string {
  const { boxes, width, height } = layout(sketch, checks);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(sketch.title)}">`,
  ];
  for (const link of sketch.links) {
    const a = boxes.get(link.from);
    const b = boxes.get(link.to);
    if (!a || !b) continue;
    const { state } = stateOf(link.hops, checks);
    const [x1, y1, x2, y2] = [a.x + W, a.y + a.h / 2, b.x, b.y + b.h / 2];
    const mx = (x1 + x2) / 2;
    out.push(
      `<g class="link ${state ?? "plan"}" data-from="${esc(link.from)}" data-to="${esc(link.to)}" data-state="${state ?? "plan"}">`,
      `<path d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}"/>`,
      `<text x="${mx}" y="${(y1 + y2) / 2 - 6}" text-anchor="middle">${esc(cut(link.label, 9))}</text></g>`,
    );
  }
  for (const b of boxes.values()) {
    const n = b.node;
    out.push(
      `<g class="node ${b.state ?? "plan"}" data-id="${esc(n.id)}" data-state="${b.state ?? "plan"}">`,
      `<title>${esc([n.title, ...n.lines, b.note ?? ""].join("\n").trim())}</title>`,
      `<rect x="${b.x}" y="${b.y}" width="${W}" height="${b.h}" rx="8"/>`,
      `<text class="title" x="${b.x + PAD}" y="${b.y + PAD + 12}">${esc(cut(n.title, CHARS - 4))}</text>`,
      ...n.lines.map((l, i) => `<text x="${b.x + PAD}" y="${b.y + PAD + 12 + LINE * (i + 1)}">${esc(cut(l))}</text>`),
      ...(b.note
        ? [
            `<text class="note" x="${b.x + PAD}" y="${b.y + PAD + 12 + LINE * (n.lines.length + 1)}">FAILED</text>`,
            `<text class="note" x="${b.x + PAD}" y="${b.y + PAD + 12 + LINE * (n.lines.length + 2)}">${esc(cut(b.note))}</text>`,
          ]
        : []),
      `</g>`,
    );
  }
  out.push(`<text class="heading" x="${MARGIN}" y="${MARGIN + 10}">${esc(sketch.subtitle ?? "")}</text>`, "</svg>");
  return out.join("\n");
}

const CSS = `
body { font: 14px/1.4 sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 8px; }
svg text { font: 12px monospace; fill: #222; }
svg text.title { font-weight: bold; font-size: 13px; }
svg text.heading { font: 13px sans-serif; fill: #555; }
svg text.note { fill: #b71c1c; font-weight: bold; }
.node rect { fill: #eef3f8; stroke: #546e7a; stroke-width: 1.5; }
.node.pass rect { fill: #e8f5e9; stroke: #2e7d32; stroke-width: 2.5; }
.node.fail rect { fill: #ffebee; stroke: #c62828; stroke-width: 3; }
.node.blocked rect { fill: #fff3e0; stroke: #ef6c00; stroke-dasharray: 6 4; stroke-width: 2; }
.node.skip rect { fill: #f5f5f5; stroke: #9e9e9e; }
.link path { fill: none; stroke: #546e7a; stroke-width: 2; }
.link.pass path { stroke: #2e7d32; stroke-width: 3; }
.link.fail path { stroke: #c62828; stroke-width: 4; }
.link.blocked path { stroke: #ef6c00; stroke-dasharray: 6 4; }
.link.skip path { stroke: #9e9e9e; stroke-dasharray: 2 4; }
.link text { fill: #37474f; }
table { border-collapse: collapse; margin-top: 16px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.pass { color: #2e7d32; } td.fail { color: #c62828; font-weight: bold; } td.blocked { color: #ef6c00; } td.skip { color: #757575; }
pre { margin: 0; white-space: pre-wrap; font-size: 12px; }
svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; } }
`;

/** The whole page: the picture, and with checks the table of hops, states and what failed. */
export function renderSketch(sketch: Sketch, checks?: SketchCheck[]): string {
  const rows = checks?.length
    ? [
        `<table><tr><th>hop</th><th>host</th><th>check</th><th>state</th><th>evidence</th></tr>`,
        ...checks.map((c) => {
          const s = c.status === "skip" && c.blockedBy ? "blocked" : c.status;
          const ev = c.status === "pass" ? "" : (c.evidence ?? c.blockedBy ?? "");
          return `<tr class="check" data-hop="${esc(c.hop)}" data-state="${s}"><td>${esc(c.hop)}</td><td>${esc(c.host)}</td><td>${esc(c.title)}</td><td class="${s}">${s}</td><td><pre>${esc(ev)}</pre></td></tr>`;
        }),
        "</table>",
      ].join("\n")
    : "";
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${esc(sketch.title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${esc(sketch.title)}</h1>`,
    svgOf(sketch, checks),
    rows,
    "</body></html>",
    "",
  ].join("\n");
}
