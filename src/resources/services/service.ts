import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { probeText, tableRead } from "../../engine/read-tables.js";
import { commandLine, quote } from "../../transport/quote.js";

export interface ServiceOptions extends TaskOptions {
  name: string;
  state?: "running" | "stopped";
  enabled?: boolean;
}

export interface ServiceState {
  init: "systemd" | "sysv";
  exists: boolean;
  active: boolean;
  enabled: boolean;
  needsReload: boolean;
}

/** Parse `init`, `load`, `active`, `enabled`, `reload` key lines. */
export function parseServiceProbe(out: string): ServiceState {
  const kv = new Map(out.split("\n").map((l) => [l.split(" ")[0], l.slice(l.indexOf(" ") + 1).trim()] as const));
  const init = kv.get("init") === "sysv" ? "sysv" : "systemd";
  const load = kv.get("load") ?? "";
  return {
    init,
    exists: init === "systemd" ? load === "loaded" : load === "yes",
    active: kv.get("active") === "active",
    enabled:
      kv.get("enabled") === "generated"
        ? kv.get("sysv-enabled") === "yes"
        : ["enabled", "enabled-runtime", "alias", "yes"].includes(kv.get("enabled") ?? ""),
    needsReload: kv.get("reload") === "yes",
  };
}

/** A service running or stopped, enabled at boot or not: systemd, or SysV init without it. */
export function service(opts: ServiceOptions): Task {
  if (!/^[A-Za-z0-9@_.:-]+$/.test(opts.name)) throw new Error(`service: "${opts.name}" is not a unit name`);
  const unit = opts.name.includes(".") ? opts.name : `${opts.name}.service`;
  const sysvName = opts.name.replace(/\.service$/, "");
  const s = quote(sysvName);
  const resource: Resource<ServiceState> = {
    kind: "service",
    name: `service ${opts.name}${opts.state ? " " + opts.state : ""}${opts.enabled === undefined ? "" : opts.enabled ? " enabled" : " disabled"}`,
    // unit files written earlier in the same run make this probe stale
    reads: [
      keys.unit(unit),
      keys.tree(`/etc/systemd/system/${unit}`),
      keys.tree(`/etc/systemd/system/${unit}.d`),
      keys.tree(`/etc/init.d/${sysvName}`),
    ],
    writes: [keys.unit(unit)],
    speed: { inShell: true },
    // units generated from SysV scripts are "generated": their rc links say whether they start at boot
    probe: () => probeText`if [ -d /run/systemd/system ]; then echo init systemd;
  ${tableRead.unit(unit)};
  if hcd_glob /etc/rc[2345].d/S*${s}; then echo sysv-enabled yes; else echo sysv-enabled no; fi;
else echo init sysv; if [ -x /etc/init.d/${sysvName} ]; then echo load yes; else echo load no; fi;
  if /etc/init.d/${s} status >/dev/null 2>&1; then echo active active; else echo active inactive; fi;
  if hcd_glob /etc/rc[2345].d/S*${s}; then echo enabled yes; else echo enabled no; fi; fi`,
    parse: (out) => parseServiceProbe(out),
    steps: (cur): Step[] => {
      // a unit that is not there is already stopped and disabled (a cleanup of what another mode left)
      if (!cur.exists && opts.state !== "running" && opts.enabled !== true) return [];
      // refused here, not given as a step that can only fail: check mode must not call it a change
      if (!cur.exists) throw new Error(`no such service: ${unit} (not installed)`);
      const steps: Step[] = [];
      const sd = cur.init === "systemd";
      if (sd && cur.needsReload)
        steps.push({ why: `unit files of ${unit} changed on disk`, script: commandLine("systemctl", "daemon-reload") });
      if (opts.enabled !== undefined && opts.enabled !== cur.enabled) {
        steps.push({
          why: `${opts.enabled ? "enable" : "disable"} ${unit}`,
          script: sd
            ? commandLine("systemctl", opts.enabled ? "enable" : "disable", "--quiet", unit)
            : commandLine("update-rc.d", sysvName, opts.enabled ? "enable" : "disable"),
        });
      }
      if (opts.state && (opts.state === "running") !== cur.active) {
        const verb = opts.state === "running" ? "start" : "stop";
        steps.push({
          why: `${verb} ${unit}`,
          script: sd ? commandLine("systemctl", verb, unit) : commandLine(`/etc/init.d/${sysvName}`, verb),
        });
      }
      return steps;
    },
  };
  return task(resource, opts);
}
