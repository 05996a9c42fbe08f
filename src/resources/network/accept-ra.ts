import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { commandLine, quote } from "../../transport/quote.js";
import { atomicWrite } from "../files/write.js";
import { detectStack, type Stack, STACKS } from "./stacks.js";

export interface UplinkAcceptRaOptions extends TaskOptions {
  /** The uplink: it forwards, and still learns its default route from the provider's RAs. */
  interface: string;
}

interface State {
  stack: Stack;
  /** networkd: the .network file that configures the interface now. */
  networkFile?: string;
  /** Our file's text, where the stack has one. */
  text?: string;
  /** The kernel's accept_ra now, and what /etc/sysctl.d holds for it. */
  live?: string;
  persisted?: string;
}

const DROPIN = "homecloud-accept-ra.conf";

/**
 * Forwarding turns RA acceptance off; the provider's RAs give the uplink its default route.
 * Each stack is told the way it listens: netplan `accept-ra: true` (a file of ours merged with
 * cloud-init's), systemd-networkd `IPv6AcceptRA=yes` (a drop-in for the interface's .network:
 * networkd handles RAs itself and sets the kernel's accept_ra to 0), ifupdown and no manager
 * the kernel's `accept_ra = 2` (live and in /etc/sysctl.d). NetworkManager handles RAs itself
 * whatever the forwarding: nothing to do.
 */
export function uplinkAcceptRa(o: UplinkAcceptRaOptions): Task {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(o.interface)) throw new Error(`"${o.interface}" is not an interface name`);
  const i = quote(o.interface);
  const netplanPath = `/etc/netplan/60-homecloud-uplink-${o.interface}.yaml`;
  const sysctlKey = `net.ipv6.conf.${o.interface}.accept_ra`;
  const sysctlPath = `/etc/sysctl.d/90-homecloud-${sysctlKey}.conf`;
  const netplanText = `# Managed by homecloud-deploy: RAs are still accepted while forwarding\nnetwork:\n  version: 2\n  ethernets:\n    ${o.interface}:\n      accept-ra: true\n`;
  const dropinText =
    "# Managed by homecloud-deploy: RAs are still accepted while forwarding\n[Network]\nIPv6AcceptRA=yes\n";
  const sysctlText = `# managed by homecloud-deploy\n${sysctlKey} = 2\n`;
  const dropinOf = (networkFile: string) => `/etc/systemd/network/${networkFile.split("/").pop()}.d/${DROPIN}`;
  const show = (path: string) => `if [ -f ${quote(path)} ]; then echo "file"; base64 < ${quote(path)}; echo end; fi`;
  const resource: Resource<State> = {
    kind: "accept-ra",
    name: `RAs accepted on ${o.interface} while forwarding`,
    reads: [
      keys.tree(netplanPath),
      keys.tree(sysctlPath),
      keys.tree("/etc/systemd/network"),
      keys.state("interface", o.interface),
    ],
    writes: [
      keys.tree(netplanPath),
      keys.tree(sysctlPath),
      keys.tree("/etc/systemd/network"),
      keys.state("interface", o.interface),
    ],
    probe: () =>
      [
        detectStack(o.interface),
        // the .network file networkd configures the interface with ("n/a": networkd leaves it alone)
        `nf=$(systemctl is-active -q systemd-networkd 2>/dev/null && networkctl status ${i} 2>/dev/null | sed -n 's/^ *Network File: //p')`,
        `echo "network-file $nf"`,
        `echo "live $(sysctl -n ${quote(sysctlKey)} 2>/dev/null)"`,
        `if [ -f ${quote(sysctlPath)} ]; then echo persisted; base64 < ${quote(sysctlPath)}; echo end; fi`,
        show(netplanPath),
        `if [ -n "$nf" ]; then d="/etc/systemd/network/$(basename "$nf").d/${DROPIN}"; if [ -f "$d" ]; then echo dropin; base64 < "$d"; echo end; fi; fi`,
        "true",
      ].join("\n"),
    parse: (out) => {
      const lines = out.split("\n");
      const said = lines[0]?.replace(/^method /, "");
      const stack: Stack = STACKS.find((s) => s === said) ?? "networkd";
      const block = (mark: string) => {
        const at = lines.indexOf(mark);
        return at < 0
          ? undefined
          : Buffer.from(lines.slice(at + 1, lines.indexOf("end", at)).join(""), "base64").toString("utf8");
      };
      const nf = (lines.find((l) => l.startsWith("network-file ")) ?? "").slice(13).trim();
      const live = (lines.find((l) => l.startsWith("live ")) ?? "").slice(5).trim();
      return {
        stack,
        networkFile: nf && nf !== "n/a" ? nf : undefined,
        text: stack === "netplan" ? block("file") : stack === "networkd" ? block("dropin") : undefined,
        live: live || undefined,
        persisted: block("persisted"),
      };
    },
    steps: (cur): Step[] => {
      if (cur.stack === "netplan") {
        if (cur.text === netplanText) return [];
        return [
          {
            why: `${cur.text === undefined ? "create" : "update"} ${netplanPath} (netplan: accept-ra)`,
            script: atomicWrite(netplanPath, netplanText, { mode: "0600" }),
            diff: { path: netplanPath, before: cur.text ?? null, after: netplanText },
          },
          {
            why: `apply: netplan generate, then the renderer reloads ${o.interface}`,
            script: `netplan generate && if systemctl is-active -q NetworkManager 2>/dev/null; then nmcli connection reload; else networkctl reload; fi`,
          },
        ];
      }
      if (cur.stack === "networkd") {
        if (!cur.networkFile) {
          // networkd runs but does not manage the interface: the kernel handles RAs there
          return kernelSteps(cur);
        }
        if (cur.text === dropinText) return [];
        const path = dropinOf(cur.networkFile);
        return [
          {
            why: `${cur.text === undefined ? "create" : "update"} ${path} (systemd-networkd: IPv6AcceptRA)`,
            script: `mkdir -p ${quote(path.slice(0, path.lastIndexOf("/")))}\n${atomicWrite(path, dropinText, { mode: "0644" })}`,
            diff: { path, before: cur.text ?? null, after: dropinText },
          },
          { why: `apply: networkctl reload (${o.interface} is reconfigured)`, script: "networkctl reload" },
        ];
      }
      if (cur.stack === "networkmanager") return [];
      return kernelSteps(cur);
    },
  };
  function kernelSteps(cur: State): Step[] {
    const steps: Step[] = [];
    if (cur.live === undefined)
      throw new Error(`${sysctlKey} does not exist on this host (no interface ${o.interface}?)`);
    if ((cur.persisted ?? "") !== sysctlText)
      steps.push({
        why: `persist ${sysctlKey} = 2 in ${sysctlPath}`,
        script: atomicWrite(sysctlPath, sysctlText, { mode: "0644" }),
        diff: { path: sysctlPath, before: cur.persisted ?? null, after: sysctlText },
      });
    if (cur.live !== "2")
      steps.push({
        why: `${sysctlKey}: ${cur.live} -> 2`,
        script: commandLine("sysctl", "-q", "-w", `${sysctlKey}=2`),
      });
    return steps;
  }
  return task(resource, o);
}
