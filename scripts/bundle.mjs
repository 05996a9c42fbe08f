// Build step, after tsc: the command, the library and the built-in roles in one CommonJS file,
// dist/homecloud-deploy.cjs, with the packages they use (esbuild aside: it runs its own binary).
// dist/src/cli.js starts from it with a V8 code cache (src/code-cache.ts). Why: a run used to
// resolve, read and compile some 300 modules before its first connection, about 0.3 s.
//
// The file keeps every module of dist/ by its path ("src/index.js", "roles/radvd/index.js"),
// each initialised when first asked for, and publishes that table on globalThis, so that a
// playbook loaded in this thread gets these very modules for dist/ files (require-ts.ts), not
// a second copy. In each module, import.meta.url is still the URL of its own file in dist/, so
// templates, package.json and the module hooks are found where they were. Every import() that
// esbuild does not bundle (a playbook's URL, node:module, esbuild) goes through the function
// dist/src/cli.js lends: code run from a vm.Script has no import() of its own.
import { build } from "esbuild";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const DIST = resolve("dist");
const OUT = join(DIST, "homecloud-deploy.cjs");

function modules(dir) {
  const out = [];
  for (const e of readdirSync(join(DIST, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...modules(rel));
    else if (e.name.endsWith(".js") && !e.name.endsWith(".test.js") && rel !== "src/cli.js") out.push(rel);
  }
  return out;
}

const files = [...modules("src"), ...modules("roles")];
const entry = [
  "const modules = {",
  ...files.map((f) => `  ${JSON.stringify(f)}: () => require(${JSON.stringify(`./${f}`)}),`),
  "};",
  'globalThis[Symbol.for("homecloud-deploy.bundle")] = { dir: __dirname, modules };',
  'exports.cliMain = (argv) => modules["src/cli/main.js"]().cliMain(argv);',
].join("\n");

/** import.meta in our modules: the file's own URL, and resolve() from the bundle's folder. */
const importMeta = {
  name: "import-meta",
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(DIST + "/")) return undefined;
      const rel = relative(DIST, args.path);
      const text = readFileSync(args.path, "utf8")
        .replace(/(?<!["'\w.])import\.meta\.url\b/g, `__hcd_url(${JSON.stringify(rel)})`)
        .replace(/(?<!["'\w.])import\.meta\.resolve\(/g, "__hcd_resolve(")
        .replace(/(?<![\w.$])import\((?!["']\.\.?\/)/g, "__hcd_import(");
      return { contents: text, loader: "js" };
    });
  },
};

/** A native addon (ssh2's crypto binding) is loaded from its package's folder at run time. */
const nativeAddons = {
  name: "native-addons",
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => ({ path: resolve(args.resolveDir, args.path), namespace: "native" }));
    b.onLoad({ filter: /.*/, namespace: "native" }, (args) => {
      const m = /^(.*\/node_modules\/((?:@[^/]+\/)?[^/]+))\/(.+)$/.exec(args.path);
      if (!m) throw new Error(`native addon outside node_modules: ${args.path}`);
      const [, , pkg, rel] = m;
      // through a variable: found by Node at run time, not by esbuild now
      const at = `require("node:path").join(require("node:path").dirname(r.resolve(${JSON.stringify(`${pkg}/package.json`)})), ${JSON.stringify(rel)})`;
      return { contents: `const r = require; module.exports = r(${at});`, loader: "js" };
    });
  },
};

const result = await build({
  stdin: { contents: entry, resolveDir: DIST, sourcefile: "homecloud-deploy-entry.cjs", loader: "js" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  outfile: OUT,
  minify: true,
  keepNames: true,
  legalComments: "eof",
  metafile: true,
  external: ["esbuild", "cpu-features"],
  banner: {
    js: [
      "// homecloud-deploy: the command and library in one file, built by scripts/bundle.mjs from dist/. The licences of the packages it holds: homecloud-deploy.licenses.txt beside it.",
      'var __hcd_url = (f) => require("node:url").pathToFileURL(require("node:path").join(__dirname, f)).href;',
      'var __hcd_resolve = (s) => require("node:url").pathToFileURL(require.resolve(s)).href;',
      // import() lent by dist/src/cli.js: code run from a vm.Script has none of its own
      'var __hcd_import = (u) => globalThis[Symbol.for("homecloud-deploy.import")](u);',
    ].join("\n"),
  },
  plugins: [importMeta, nativeAddons],
  logLevel: "warning",
});
if (result.errors.length) process.exit(1);

// The licence of every package the file holds, beside it (their notices must travel with the copy).
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*?node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (m) packages.set(m[2], m[1]);
}
const notices = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
  const { version, license } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  return `${name}@${version} (${license ?? "see its package"})\n\n${file ? readFileSync(join(dir, file), "utf8").trim() : "(no licence file in the package)"}\n`;
});
writeFileSync(join(DIST, "homecloud-deploy.licenses.txt"), `Packages held in homecloud-deploy.cjs, and their licences.\n\n${notices.join(`\n${"-".repeat(72)}\n\n`)}`);
// what is left of import() would fail at run time (see above): none may be left
const left = /(?<![\w.$])import\(/.exec(readFileSync(OUT, "utf8"));
if (left) {
  console.error(`${OUT}: import() left at offset ${left.index}; route it through __hcd_import`);
  process.exit(1);
}
