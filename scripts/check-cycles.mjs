#!/usr/bin/env node
// Fails on any import cycle among the modules of src/, roles/, site/ and playbooks/ (type-only
// imports count too: a cycle of types is still two files that cannot be understood one without
// the other), and on an import that runs up the layers (LAYERS below): the library (src/) never
// imports roles/ or the site, transport knows nothing above it, the engine nothing of the CLI.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ["src", "roles", "site", "playbooks"];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name) ? [p] : [];
  });
}

/**
 * The layers, lowest first: a module imports only from its own layer or below (type-only imports
 * count). A file belongs to the layer of its longest matching prefix.
 */
const LAYERS = [
  ["base", ["src/errors.ts", "src/secrets.ts", "src/lazy.ts", "src/cache-dir.ts", "src/net/"]],
  ["transport: reach a host, run a script", ["src/transport/"]],
  ["inventory: hosts, variables, connection targets", ["src/inventory/"]],
  [
    "task contract: what a task, a key, a probe and a picture are",
    ["src/engine/types.ts", "src/engine/keys.ts", "src/engine/read-tables.ts", "src/output/sketch.ts"],
  ],
  ["playbook API: definePlaybook, checks, facts", ["src/playbook/"]],
  ["engine: compile, converge, run", ["src/engine/"]],
  ["resources and output", ["src/resources/", "src/output/"]],
  ["verify", ["src/verify/"]],
  ["the public API", ["src/index.ts"]],
  ["loader and lab", ["src/loader/", "src/lab/"]],
  ["the command line", ["src/cli/"]],
  ["roles", ["roles/"]],
  ["the site", ["site/"]],
  ["playbooks", ["playbooks/"]],
];

function layerOf(rel) {
  let best = -1;
  let len = -1;
  LAYERS.forEach(([, prefixes], i) => {
    for (const p of prefixes)
      if ((rel === p || (p.endsWith("/") && rel.startsWith(p))) && p.length > len) {
        best = i;
        len = p.length;
      }
  });
  return best;
}

const files = dirs.flatMap((d) => walk(join(root, d)));
const known = new Set(files);
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** file -> the files of ours it imports */
const edges = new Map();
const problems = [];
for (const f of files) {
  const text = readFileSync(f, "utf8");
  const to = new Set();
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(f), spec.replace(/\.js$/, ".ts"));
    const [from, up] = [layerOf(relative(root, f)), layerOf(relative(root, target))];
    if (from < 0) problems.push(`${relative(root, f)}: in no layer (add it to LAYERS)`);
    else if (up > from)
      problems.push(`${relative(root, f)} imports ${spec}: "${LAYERS[from][0]}" sits below "${LAYERS[up][0]}"`);
    if (known.has(target)) to.add(target);
  }
  edges.set(f, [...to]);
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function connect(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)) {
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || edges.get(v).includes(v)) cycles.push(comp);
  }
}
for (const f of files) if (!idx.has(f)) connect(f);

for (const c of cycles)
  problems.push(
    `import cycle: ${c
      .map((f) => relative(root, f))
      .sort()
      .join(" <-> ")}`,
  );
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`no import cycle among ${files.length} modules of ${dirs.join(", ")}`);
