import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { quote } from "../../transport/quote.js";
import { atomicWrite } from "../files/write.js";
import { addr6, hostMask6 } from "../../net/prefix.js";
import {
  applyCommand,
  detectStack,
  releaseCommand,
  nmConnectionId,
  type Stack,
  STACKS,
  type StackInput,
  stackFile,
  stackFileMode,
  stackText,
} from "./stacks.js";

export interface InterfaceAddressesOptions extends TaskOptions, StackInput {
  /**
   * How the host keeps its network configuration; auto: the stack that manages the interface
   * (netplan, NetworkManager, systemd-networkd or ifupdown: see detectStack).
   */
  method?: "auto" | Stack;
  /**
   * absent: our file of the interface removed (whichever stack's), the stack told, and these
   * addresses and default routes taken off. It runs detached, a few seconds after the task,
   * because the session that asks for it usually comes over one of these addresses.
   */
  state?: "present" | "absent";
}

/** Seconds between an absent task and the removal it starts (the session ends first). */
const RELEASE_DELAY_S = 3;

/** An IPv6 address/length that lies in the subnet of one of `wanted` (each address/length). */
function sameSubnet6(live: string, wanted: string[]): boolean {
  const a = addr6(live.split("/")[0] ?? "");
  if (a === undefined) return false;
  return wanted.some((w) => {
    const [x, l] = w.split("/");
    const b = addr6(x ?? "");
    const mask = hostMask6(Number(l));
    return b !== undefined && l !== undefined && (a & ~mask) === (b & ~mask);
  });
}

interface State {
  method: Stack;
  text?: string;
  live: string[];
  /** The gateways of the interface's default routes now (IPv6 and IPv4). */
  gateways: string[];
  /** NetworkManager: the connection active on the device now. */
  active?: string;
  /** Which of our files (of any stack) exist for the interface. */
  files: string[];
}

export { ifupdownFile, networkdFile } from "./stacks.js";

/** Static addresses and gateways of one interface, persisted the Debian way and applied now. */
export function interfaceAddresses(o: InterfaceAddressesOptions): Task {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(o.interface)) throw new Error(`"${o.interface}" is not an interface name`);
  const [first] = o.addresses;
  if (first === undefined) throw new Error(`addresses of ${o.interface}: none given`);
  const files = STACKS.map((st) => stackFile(st, o.interface));
  const i = quote(o.interface);
  // the next hops of the default routes that leave by this interface, one per line
  const nextHops = `{ ip -6 route show default; ip -4 route show default; } 2>/dev/null | grep -o 'via [^ ]* dev [^ ]*' | awk -v d=${i} '$4 == d {print $2}'`;
  const resource: Resource<State> = {
    kind: "addresses",
    name:
      o.state === "absent"
        ? `addresses of ${o.interface}: ${o.addresses.join(" ")} absent`
        : `addresses of ${o.interface}: ${o.addresses.join(" ")}`,
    reads: [...files.map((f) => keys.tree(f)), keys.state("interface", o.interface)],
    writes: [
      ...files.map((f) => keys.tree(f)),
      keys.state("interface", o.interface),
      keys.unit("systemd-networkd.service"),
    ],
    probe: () =>
      [
        o.method && o.method !== "auto" ? `echo method ${o.method}` : detectStack(o.interface),
        `echo "live $(ip -o addr show dev ${i} scope global 2>/dev/null | awk '{print $4}' | sort | tr '\\n' ' ')"`,
        // every next hop of the default routes on the interface (one route may hold several)
        `echo "gateways $(${nextHops} | tr '\\n' ' ')"`,
        `echo "active $(nmcli -g GENERAL.CONNECTION device show ${i} 2>/dev/null)"`,
        `for f in ${files.map(quote).join(" ")}; do if [ -f "$f" ]; then echo "file $f"; base64 < "$f"; echo "end"; fi; done`,
      ].join("\n"),
    parse: (out) => {
      const lines = out.split("\n");
      const said = lines[0]?.replace(/^method /, "");
      const method: Stack = STACKS.find((st) => st === said) ?? "networkd";
      const live = (lines.find((l) => l.startsWith("live ")) ?? "live ").slice(5).trim().split(/\s+/).filter(Boolean);
      const want = stackFile(method, o.interface);
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
      const active = (lines.find((l) => l.startsWith("active ")) ?? "active ").slice(7).trim();
      const files = lines.filter((l) => l.startsWith("file ")).map((l) => l.slice(5));
      return { method, text, live, gateways, active: active || undefined, files };
    },
    steps: (cur): Step[] => {
      if (o.state === "absent") return releaseSteps(o, cur);
      const path = stackFile(cur.method, o.interface);
      const text = stackText(cur.method, o);
      const steps: Step[] = [];
      const norm = (a: string) => a.toLowerCase();
      const missing = [
        ...o.addresses.filter((a) => !cur.live.map(norm).includes(norm(a))),
        ...[o.gateway6, o.gateway4]
          .filter((g): g is string => !!g && !cur.gateways.map(norm).includes(norm(g)))
          .map((g) => `the default route via ${g}`),
        // NetworkManager: ours must be the connection on the device (not "Wired connection 1")
        ...(cur.method === "networkmanager" && cur.active !== nmConnectionId(o.interface)
          ? [`connection ${nmConnectionId(o.interface)} active`]
          : []),
      ];
      if (cur.text !== text) {
        steps.push({
          why: `${cur.text === undefined ? "create" : "update"} ${path}`,
          script: atomicWrite(path, text, { mode: stackFileMode(cur.method) }),
          diff: { path, before: cur.text ?? null, after: text },
        });
      }
      // what our earlier file gave the interface and this one does not (a VM moved, a prefix renumbered):
      // a stack's reload does not always take an address away (networkd leaves it), so it is removed
      const ours = new Set((cur.text ?? "").split(/[\s="',]+/).map(norm));
      const wanted = [...o.addresses, o.gateway6 ?? "", o.gateway4 ?? ""].map(norm);
      // and one in the subnet of a wanted address (a VM moved within its prefix, also when a lost
      // session had already written the new file)
      const stale = cur.live.filter(
        (a) => !wanted.includes(norm(a)) && (ours.has(norm(a)) || sameSubnet6(a, o.addresses)),
      );
      const oldHops = cur.gateways.filter((g) => ours.has(norm(g)) && !wanted.includes(norm(g)));
      const removal = [
        ...stale.map((a) => `ip addr del ${quote(a)} dev ${i} 2>/dev/null || true`),
        ...oldHops.map(
          (g) => `ip ${g.includes(":") ? "-6" : "-4"} route del default via ${quote(g)} dev ${i} 2>/dev/null || true`,
        ),
      ];
      if (cur.text !== text || missing.length || removal.length) {
        const apply = applyCommand(cur.method, o.interface, path);
        const ready = [
          ...o.addresses.map((a) => `ip -o addr show dev ${i} scope global | grep -qiF ${quote(` ${a} `)}`),
          ...[o.gateway6, o.gateway4]
            .filter((g): g is string => !!g)
            .map((g) => `${nextHops} | grep -qixF ${quote(g)}`),
          // and the old ones gone (a stack still applying its old configuration may bring one back)
          ...stale.map((a) => `! ip -o addr show dev ${i} scope global | grep -qiF ${quote(` ${a} `)}`),
        ].join(" &&\n    ");
        steps.push({
          why: [
            missing.length
              ? `apply ${missing.join(", ")} on ${o.interface} (${cur.method})`
              : `apply the configuration of ${o.interface}`,
            ...(stale.length || oldHops.length
              ? [`remove the old ${[...stale, ...oldHops.map((g) => `default route via ${g}`)].join(", ")}`]
              : []),
          ].join("; "),
          // every address, then the default routes (networkd adds a route once its address left DAD);
          // held for three reads in a row: a reconfigure may first drop what was there, a moment later
          script: [
            apply,
            "i=0; ok=0",
            "while [ $i -lt 100 ]; do",
            ...removal.map((r) => `  ${r}`),
            `  if ${ready}; then`,
            "    ok=$((ok + 1))",
            "    [ $ok -ge 3 ] && exit 0",
            "  else",
            "    ok=0",
            "  fi",
            "  i=$((i + 1))",
            "  sleep 0.1",
            "done",
            `echo "${o.addresses.join(", ")} or a default route did not appear on ${o.interface} within 10 s" >&2`,
            "exit 1",
          ].join("\n"),
        });
      }
      return steps;
    },
  };
  return task(resource, o);
}

/**
 * Our configuration of the interface taken away: each stack's file of ours removed the stack's
 * way, then the addresses and default routes we gave. Started detached (systemd-run, a few
 * seconds later): the removal usually cuts the session that asked for it.
 */
function releaseSteps(o: InterfaceAddressesOptions, cur: State): Step[] {
  const norm = (a: string) => a.toLowerCase();
  const live = o.addresses.filter((a) => cur.live.map(norm).includes(norm(a)));
  const hops = [o.gateway6, o.gateway4].filter((g): g is string => !!g && cur.gateways.map(norm).includes(norm(g)));
  if (!cur.files.length && !live.length && !hops.length) return [];
  const i = quote(o.interface);
  const script = [
    ...STACKS.filter((st) => cur.files.includes(stackFile(st, o.interface))).map((st) =>
      releaseCommand(st, o.interface, stackFile(st, o.interface)),
    ),
    ...o.addresses.map((a) => `ip addr del ${quote(a)} dev ${i} 2>/dev/null`),
    ...[o.gateway6, o.gateway4]
      .filter((g): g is string => !!g)
      .map((g) => `ip ${g.includes(":") ? "-6" : "-4"} route del default via ${quote(g)} dev ${i} 2>/dev/null`),
    "true",
  ].join("\n");
  return [
    {
      why: [
        ...cur.files.map((f) => `remove ${f}`),
        ...(live.length || hops.length
          ? [`take ${[...live, ...hops.map((g) => `the default route via ${g}`)].join(", ")} off ${o.interface}`]
          : []),
        `in ${RELEASE_DELAY_S} s, detached (this session may go with them)`,
      ].join("; "),
      // (a timer's default accuracy is a minute: it would fire anywhere in the next 60 s)
      script: `systemd-run --quiet --collect --unit=homecloud-release-${o.interface}-$$ --on-active=${RELEASE_DELAY_S} --timer-property=AccuracySec=100ms /bin/sh -c ${quote(script)}`,
      deferred: true,
      ...(cur.text !== undefined
        ? { diff: { path: stackFile(cur.method, o.interface), before: cur.text, after: null } }
        : {}),
    },
  ];
}
