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
 * The one mapper from schema issues to problems: `where` places a variable's path (an inventory
 * file and line, or a command-line option), `hint` gives what a person needs for an issue. An
 * unknown key is a problem of its own, at its own line.
 */
export function mapIssues(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  where: (path: string) => Omit<Problem, "message">,
  hint: (issue: z.core.$ZodIssue, key: string) => string | undefined = () => undefined,
): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((k) => ({
        ...where(varPath([...issue.path, k])),
        message: "unknown key",
        hint: hint(issue, k),
      }));
    return [{ ...where(varPath(issue.path)), message: issue.message, hint: hint(issue, String(issue.path[0] ?? "")) }];
  });
}

/** A host's variables' issues, each at the inventory file and line that set the variable. */
export function issueProblems(
  inv: Inventory,
  h: Host,
  issues: ReadonlyArray<z.core.$ZodIssue>,
  hint: (key: string) => string | undefined = () => undefined,
): Problem[] {
  return mapIssues(
    issues,
    (path) => varAt(inv, h, path),
    (_, key) => hint(key),
  );
}
