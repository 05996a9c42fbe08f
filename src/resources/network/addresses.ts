import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { quote } from "../../transport/quote.js";
import { atomicWrite } from "../files/write.js";

export interface InterfaceAddressesOptions extends TaskOptions {
  interface: string;
  /** CIDR addresses, IPv4 and IPv6. */
  addresses: string[];
  gateway4?: string;
  gateway6?: string;
  /** Accept router advertisements (on-link prefix, router) besides the static gateway. */
  acceptRa?: boolean;
  /** How the host keeps its network configuration; auto: ifupdown when it is in use, else systemd-networkd. */
  method?: "auto" | "networkd" | "ifupdown";
}

interface State {
  method: "networkd" | "ifupdown";
  text?: string;
  live: string[];
  /** The gateways of the interface's default routes now (IPv6 and IPv4). */
  gateways: string[];
}

export function networkdFile(o: InterfaceAddressesOptions): string {
  return [
    "# Managed by homecloud-deploy",
    "[Match]",
    `Name=${o.interface}`,
    "",
    "[Network]",
    ...o.addresses.map((a) => `Address=${a}`),
    ...(o.gateway6 ? [`Gateway=${o.gateway6}`] : []),
    ...(o.gateway4 ? [`Gateway=${o.gateway4}`] : []),
    `IPv6AcceptRA=${(o.acceptRa ?? true) ? "yes" : "no"}`,
    "LinkLocalAddressing=ipv6",
    "",
  ].join("\n");
}

export function ifupdownFile(o: InterfaceAddressesOptions): string {
  const v4 = o.addresses.filter((a) => !a.includes(":"));
  const v6 = o.addresses.filter((a) => a.includes(":"));
  const lines = ["# Managed by homecloud-deploy", `auto ${o.interface}`];
  v4.forEach((a, i) => {
    lines.push(`iface ${o.interface} inet static`, `    address ${a}`);
    if (i === 0 && o.gateway4) lines.push(`    gateway ${o.gateway4}`);
  });
  v6.forEach((a, i) => {
    lines.push(
      `iface ${o.interface} inet6 static`,
      `    address ${a}`,
      `    accept_ra ${(o.acceptRa ?? true) ? 2 : 0}`,
    );
    if (i === 0 && o.gateway6) lines.push(`    gateway ${o.gateway6}`);
  });
  return lines.join("\n") + "\n";
}

/** Static addresses and gateways of one interface, persisted the Debian way and applied now. */
export function interfaceAddresses(o: InterfaceAddressesOptions): Task {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(o.interface)) throw new Error(`"${o.interface}" is not an interface name`);
  const [first] = o.addresses;
  if (first === undefined) throw new Error(`addresses of ${o.interface}: none given`);
  const nd = `/etc/systemd/network/50-homecloud-${o.interface}.network`;
  const ifu = `/etc/network/interfaces.d/homecloud-${o.interface}`;
  const i = quote(o.interface);
  // the next hops of the default routes that leave by this interface, one per line
  const nextHops = `{ ip -6 route show default; ip -4 route show default; } 2>/dev/null | grep -o 'via [^ ]* dev [^ ]*' | awk -v d=${i} '$4 == d {print $2}'`;
  const resource: Resource<State> = {
    kind: "addresses",
    name: `addresses of ${o.interface}: ${o.addresses.join(" ")}`,
    reads: [keys.tree(nd), keys.tree(ifu), keys.state("interface", o.interface)],
    writes: [
      keys.tree(nd),
      keys.tree(ifu),
      keys.state("interface", o.interface),
      keys.unit("systemd-networkd.service"),
    ],
    probe: () =>
      [
        o.method === "networkd" || o.method === "ifupdown"
          ? `echo method ${o.method}`
          : `if command -v ifup >/dev/null 2>&1 && [ -f /etc/network/interfaces ] && ! systemctl is-active -q systemd-networkd 2>/dev/null; then echo method ifupdown; else echo method networkd; fi`,
        `echo "live $(ip -o addr show dev ${i} scope global 2>/dev/null | awk '{print $4}' | sort | tr '\\n' ' ')"`,
        // every next hop of the default routes on the interface (one route may hold several)
        `echo "gateways $(${nextHops} | tr '\\n' ' ')"`,
        `for f in ${quote(nd)} ${quote(ifu)}; do if [ -f "$f" ]; then echo "file $f"; base64 < "$f"; echo "end"; fi; done`,
      ].join("\n"),
    parse: (out) => {
      const lines = out.split("\n");
      const method = lines[0]?.endsWith("ifupdown") ? "ifupdown" : "networkd";
      const live = (lines.find((l) => l.startsWith("live ")) ?? "live ").slice(5).trim().split(/\s+/).filter(Boolean);
      const want = method === "networkd" ? nd : ifu;
      const at = lines.indexOf(`file ${want}`);
      const text =
        at >= 0
          ? Buffer.from(lines.slice(at + 1, lines.indexOf("end", at)).join(""), "base64").toString("utf8")
          : undefined;
      const gateways = (lines.find((l) => l.startsWith("gateways ")) ?? "gateways ")
        .slice(9)
        .trim()
        .split(/\s+/)
        .filter(Boolean);
      return { method, text, live, gateways };
    },
    steps: (cur): Step[] => {
      const path = cur.method === "networkd" ? nd : ifu;
      const text = cur.method === "networkd" ? networkdFile(o) : ifupdownFile(o);
      const steps: Step[] = [];
      const norm = (a: string) => a.toLowerCase();
      const missing = [
        ...o.addresses.filter((a) => !cur.live.map(norm).includes(norm(a))),
        ...[o.gateway6, o.gateway4]
          .filter((g): g is string => !!g && !cur.gateways.map(norm).includes(norm(g)))
          .map((g) => `the default route via ${g}`),
      ];
      if (cur.text !== text) {
        steps.push({
          why: `${cur.text === undefined ? "create" : "update"} ${path}`,
          script: atomicWrite(path, text, { mode: "0644" }),
          diff: { path, before: cur.text ?? null, after: text },
        });
      }
      if (cur.text !== text || missing.length) {
        const apply =
          cur.method === "networkd"
            ? `systemctl enable --quiet systemd-networkd && systemctl start systemd-networkd && networkctl reload && networkctl reconfigure ${i}`
            : `ifdown --force ${i} >/dev/null 2>&1; ifup ${i}`;
        const ready = [
          `ip -o addr show dev ${i} | grep -q ${quote(first.split("/")[0] ?? first)}`,
          ...[o.gateway6, o.gateway4]
            .filter((g): g is string => !!g)
            .map((g) => `${nextHops} | grep -qixF ${quote(g)}`),
        ].join(" && ");
        steps.push({
          why: missing.length
            ? `apply ${missing.join(", ")} on ${o.interface} (${cur.method})`
            : `apply the configuration of ${o.interface}`,
          // the addresses, then the default routes (networkd adds a route once its address left DAD)
          script: `${apply}\ni=0; while [ $i -lt 100 ]; do ${ready} && exit 0; i=$((i+1)); sleep 0.1; done; echo "${first} or a default route did not appear on ${o.interface} within 10 s" >&2; exit 1`,
        });
      }
      return steps;
    },
  };
  return task(resource, o);
}
