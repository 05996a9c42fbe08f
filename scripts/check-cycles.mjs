#!/usr/bin/env node
// Fails on any import cycle among the modules of src/ and roles/ (type-only imports count too:
// a cycle of types is still two files that cannot be understood one without the other), and
// on an import across a layer boundary: src/ never imports roles/, and transport (how to
// reach a host and run a script there) sits below the engine, knowing nothing above it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ["src", "roles"];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name) ? [p] : [];
  });
}

/** [importer prefix, what it must not import] */
const FORBIDDEN = [
  ["src/", "roles/", "src/ never imports roles/"],
  ...[
    "src/engine/",
    "src/playbook/",
    "src/inventory/",
    "src/cli/",
    "src/lab/",
    "src/resources/",
    "src/output/",
    "src/net/",
  ].map((p) => ["src/transport/", p, "transport sits below the engine and the rest"]),
];

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
    for (const [from, to, why] of FORBIDDEN)
      if (relative(root, f).startsWith(from) && relative(root, target).startsWith(to))
        problems.push(`${relative(root, f)} imports ${spec}: ${why}`);
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
