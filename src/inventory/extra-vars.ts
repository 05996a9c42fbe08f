import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { InputError, type Problem } from "../errors.js";
import type { Inventory, Origin } from "./types.js";
import { parseYaml, readVars } from "./yaml-values.js";

/** The owner name of -e values in origins ("extra vars:key"). */
const OWNER = "extra vars";
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ExtraVars {
  vars: Record<string, unknown>;
  where: Map<string, Origin>;
}

/** "a=1 b='two words'" as Ansible's key=value form: words split as a shell would, values as text. */
function keyValues(text: string, problems: Problem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const words = [...text.matchAll(/(?:[^\s'"]+|'[^']*'|"(?:[^"\\]|\\.)*")+/g)].map((m) =>
    m[0].replace(/'([^']*)'|"((?:[^"\\]|\\.)*)"/g, (_, a, b) => a ?? b.replace(/\\(.)/g, "$1")),
  );
  for (const w of words) {
    const eq = w.indexOf("=");
    const key = eq < 0 ? w : w.slice(0, eq);
    if (eq < 0 || !NAME.test(key)) {
      problems.push({
        field: "-e",
        message: `"${w}" is not NAME=VALUE`,
        hint: "-e name=value, -e '{\"name\": 1}' (JSON or YAML), or -e @vars.yaml",
      });
      continue;
    }
    out[key] = w.slice(eq + 1);
  }
  return out;
}

/**
 * Ansible's -e/--extra-vars, each: NAME=VALUE words (text values), a JSON or YAML mapping
 * (typed), or @FILE (a YAML or JSON file). Later ones win; secrets tags work in files.
 */
export function parseExtraVars(values: readonly string[], cwd = process.cwd()): ExtraVars {
  const problems: Problem[] = [];
  const vars: Record<string, unknown> = {};
  const where = new Map<string, Origin>();
  for (const v of values) {
    const file = v.startsWith("@") ? resolve(cwd, v.slice(1)) : undefined;
    if (!file && !/^\s*[{[]/.test(v)) {
      for (const [k, val] of Object.entries(keyValues(v, problems))) {
        vars[k] = val;
        where.set(`${OWNER}:${k}`, { file: "-e (command line)" });
      }
      continue;
    }
    let text = v;
    if (file) {
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        problems.push({ field: "-e", file, message: `cannot read it: ${(e as NodeJS.ErrnoException).code ?? e}` });
        continue;
      }
    }
    const y = parseYaml(text, file ?? "-e (command line)", { problems, where });
    if (!y) continue;
    Object.assign(vars, readVars(y, y.doc.contents, OWNER, "-e"));
  }
  if (problems.length) throw new InputError(problems);
  return { vars, where };
}

/** The inventory with the extra vars above every host's own (Ansible's highest precedence). */
export function withExtraVars(inv: Inventory, extra: ExtraVars): Inventory {
  const keys = Object.keys(extra.vars);
  if (!keys.length) return inv;
  const hosts = new Map(
    [...inv.hosts].map(([name, h]) => {
      const origins = new Map(h.origins);
      for (const k of keys) origins.set(k, OWNER);
      return [name, { ...h, vars: { ...h.vars, ...extra.vars }, origins }];
    }),
  );
  const allOrigins = new Map(inv.allOrigins);
  for (const k of keys) allOrigins.set(k, OWNER);
  return {
    ...inv,
    hosts,
    where: new Map([...inv.where, ...extra.where]),
    allVars: { ...inv.allVars, ...extra.vars },
    allOrigins,
  };
}
