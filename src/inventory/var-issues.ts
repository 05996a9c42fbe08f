import type { z } from "zod";
import type { Problem } from "../errors.js";
import { type Host, type Inventory, originOf } from "./types.js";

/** An issue's path as the inventory writes it: site.dns[1]. */
export function varPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((x, i) => (typeof x === "number" ? `[${x}]` : i ? `.${String(x)}` : String(x))).join("");
}

/** Where a host's variable (or a key inside it) was set: the file, the line, and the field to name. */
export function varAt(inv: Inventory, h: Host, path: string): Pick<Problem, "file" | "line" | "field"> {
  const o = originOf(inv, h, path);
  return { file: o?.file ?? inv.file, line: o ? o.line : h.line, field: `${h.name}.${path}` };
}

/**
 * The one mapper from schema issues to problems: each names the inventory file and line that
 * set the variable, and the field. `hint` gives a hint for a variable, when there is one.
 */
export function issueProblems(
  inv: Inventory,
  h: Host,
  issues: ReadonlyArray<z.core.$ZodIssue>,
  hint: (key: string) => string | undefined = () => undefined,
): Problem[] {
  return issues.map((issue) => {
    const path = varPath(issue.path);
    const key = String(issue.path[0] ?? "");
    return { ...varAt(inv, h, path), message: issue.message, hint: hint(key) };
  });
}
