import { execFileSync } from "node:child_process";
import { DeployError } from "../errors.js";

/** Run a program on this machine; throw a lab error with its stderr on failure. */
export function sh(cmd: string, args: string[], opts: { allowFail?: boolean; input?: string } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], input: opts.input });
  } catch (e) {
    if (opts.allowFail) return "";
    const err = e as { stderr?: string; status?: number };
    throw new DeployError("lab", `${cmd} ${args.join(" ")} failed`, {
      command: `${cmd} ${args.join(" ")}`,
      exitCode: err.status ?? undefined,
      stderr: String(err.stderr ?? ""),
    });
  }
}

/** `ip` in a namespace (or the machine's when ns is undefined). */
export function ip(ns: string | undefined, ...args: string[]): string {
  return sh("ip", ns ? ["-n", ns, ...args] : args);
}

export function exists(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
