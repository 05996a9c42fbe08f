import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { maskRtxLine, parseRtxConfig, rtxKey, type RtxConfig } from "./config.js";

export interface RtxTunnelOptions extends TaskOptions {
  tunnel: number;
  /** The lines of `tunnel select N`, in order. */
  lines: string[];
  /** Top-level lines this tunnel owns (ipsec transport, l2tp service, bridge member, ...). */
  top: string[];
  /** Keys of top-level lines we own even when not wanted now: a line left there is removed with `no`. */
  ownedTopKeys: string[];
}

/** Commands (in order) that make tunnel N and our top-level lines as wanted. Pure. */
export function rtxChanges(
  cur: RtxConfig,
  o: RtxTunnelOptions,
): { commands: string[]; before: string[]; after: string[] } {
  const have = cur.tunnels.get(o.tunnel) ?? [];
  const haveKeys = new Map(have.map((l) => [rtxKey(l), l]));
  const wantKeys = new Set(o.lines.map(rtxKey));
  const inTunnel: string[] = [];
  for (const l of o.lines) if (haveKeys.get(rtxKey(l)) !== l) inTunnel.push(l);
  for (const [k, l] of haveKeys) if (!wantKeys.has(k)) inTunnel.push(`no ${l}`);
  const topNow = new Map(cur.top.map((l) => [rtxKey(l), l]));
  const topWant = new Map(o.top.map((l) => [rtxKey(l), l]));
  const atTop: string[] = [];
  for (const [k, l] of topWant) if (topNow.get(k) !== l) atTop.push(l);
  for (const k of o.ownedTopKeys) {
    const l = topNow.get(k);
    if (l && !topWant.has(k)) atTop.push(`no ${l}`);
  }
  const commands = [
    ...(inTunnel.length ? [`tunnel select ${o.tunnel}`, ...inTunnel, "tunnel select none"] : []),
    ...atTop,
  ];
  const ours = (lines: string[]) => lines.filter((l) => o.ownedTopKeys.includes(rtxKey(l)) || topWant.has(rtxKey(l)));
  const render = (tun: string[], tops: string[]) =>
    [...(tun.length ? [`tunnel select ${o.tunnel}`, ...tun.map((l) => ` ${l}`)] : []), ...tops].map(maskRtxLine);
  return { commands, before: render(have, ours(cur.top)), after: render(o.lines, o.top) };
}

/**
 * An L2TPv3/IPsec tunnel on a YAMAHA RTX: reads `show config`, sends only the commands that are
 * missing or different, and `no ...` for lines of our tunnel that are no longer wanted.
 */
export function rtxTunnel(o: RtxTunnelOptions): Task {
  if (!Number.isInteger(o.tunnel) || o.tunnel < 1) throw new Error(`tunnel ${o.tunnel} is not a tunnel number`);
  const resource: Resource<RtxConfig> = {
    kind: "rtx",
    name: `rtx tunnel ${o.tunnel}`,
    reads: [keys.state("rtx", "config")],
    writes: [keys.state("rtx", "config")],
    probe: () => "show config",
    parse: (out) => parseRtxConfig(out),
    steps: (cur): Step[] => {
      const p = rtxChanges(cur, o);
      if (!p.commands.length) return [];
      return [
        {
          why: p.commands.map(maskRtxLine).join("; "),
          script: p.commands.join("\n"),
          diff: {
            path: `config (tunnel ${o.tunnel})`,
            before: p.before.join("\n") + "\n",
            after: p.after.join("\n") + "\n",
          },
        },
      ];
    },
  };
  return task(resource, o);
}
