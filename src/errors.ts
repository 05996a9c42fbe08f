import { redact } from "./secrets.js";

/** Where a problem was found: a file (and line) or a host/role/task. */
export interface ErrorContext {
  file?: string;
  line?: number;
  field?: string;
  host?: string;
  role?: string;
  task?: string;
  command?: string;
  exitCode?: number;
  stderr?: string;
}

/**
 * The one error family. `kind` says which part of a run failed; the CLI maps it to an
 * exit code and prints `message` plus context, never a stack trace.
 */
export type ErrorKind = "input" | "connect" | "hostkey" | "task" | "lab" | "internal";

const ERROR_BRAND = Symbol.for("homecloud-deploy.DeployError");

/** True for errors of this family from any copy of the module (dist/, or src/ through the loader). */
export function isDeployError(e: unknown): e is DeployError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[ERROR_BRAND] === true;
}

export function isInputError(e: unknown): e is InputError {
  return isDeployError(e) && Array.isArray((e as InputError).problems);
}

export class DeployError extends Error {
  readonly [ERROR_BRAND] = true;
  readonly kind: ErrorKind;
  readonly context: ErrorContext;
  readonly hint?: string;
  constructor(
    kind: ErrorKind,
    message: string,
    context: ErrorContext = {},
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(redact(message), { cause: options.cause });
    this.name = "DeployError";
    this.kind = kind;
    this.context = context;
    this.hint = options.hint;
  }
}

/** One problem in user input; many are collected and shown together. */
export interface Problem {
  file?: string;
  line?: number;
  field?: string;
  message: string;
  hint?: string;
}

export class InputError extends DeployError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super("input", `${problems.length} problem${problems.length === 1 ? "" : "s"} in the input`);
    this.problems = problems;
  }
}

export function formatProblem(p: Problem): string {
  const where = [p.file ? (p.line ? `${p.file}:${p.line}` : p.file) : undefined, p.field].filter(Boolean).join(" ");
  const text = `${where ? where + ": " : ""}${p.message}${p.hint ? ` (${p.hint})` : ""}`;
  return redact(text);
}

/** Render any error for a person: one screen, no stack trace unless asked. */
export function formatError(err: unknown, verbose = 0): string {
  if (isInputError(err)) {
    const shown = err.problems.slice(0, 30).map((p) => "  - " + formatProblem(p));
    const more = err.problems.length > 30 ? [`  ... and ${err.problems.length - 30} more`] : [];
    return [`error: ${err.message}:`, ...shown, ...more].join("\n");
  }
  if (isDeployError(err)) {
    const c = err.context;
    const where = [
      c.host && `host ${c.host}`,
      c.role && `role ${c.role}`,
      c.task && `task ${c.task}`,
      c.file && (c.line ? `${c.file}:${c.line}` : c.file),
      c.field,
    ]
      .filter(Boolean)
      .join(", ");
    const lines = [`error: ${where ? `[${where}] ` : ""}${err.message}`];
    if (c.exitCode !== undefined) lines.push(`  exit code ${c.exitCode}`);
    if (c.stderr)
      lines.push(
        ...c.stderr
          .trimEnd()
          .split("\n")
          .slice(-15)
          .map((l) => "  | " + l),
      );
    if (err.hint) lines.push(`  hint: ${err.hint}`);
    if (verbose >= 3 && err.stack) lines.push(err.stack);
    return redact(lines.join("\n"));
  }
  const e = err as Error;
  const msg = e && typeof e.message === "string" ? e.message : String(err);
  return redact(`error: ${msg}${verbose >= 3 && e?.stack ? "\n" + e.stack : ""}`);
}
