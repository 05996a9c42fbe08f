import { createHash } from "node:crypto";
import { commandLine } from "../transport/quote.js";
import type { Handler } from "./types.js";

/** A handler: a named shell action run once at the end of the role when notified. */
export function handler(name: string, script: string): Handler {
  const id = createHash("sha256")
    .update(name + "\0" + script)
    .digest("hex")
    .slice(0, 16);
  return { id, name, script };
}

export function restartService(unit: string): Handler {
  return handler(
    `restart ${unit}`,
    `${commandLine("systemctl", "daemon-reload")} && ${commandLine("systemctl", "restart", unit)}`,
  );
}

export function reloadService(unit: string): Handler {
  return handler(`reload ${unit}`, commandLine("systemctl", "reload", unit));
}

export const daemonReload: Handler = handler("systemd daemon-reload", commandLine("systemctl", "daemon-reload"));
