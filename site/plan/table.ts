import type { SitePlan } from "./site-plan.js";

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (c ?? "").padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The plan as a person reads it before anything is applied. */
export function renderSitePlan(p: SitePlan): string {
  const out: string[] = [];
  out.push(
    "Prefixes",
    table([
      ["what", "prefix"],
      ["VPS (routed, on-link at the provider)", p.vpsPrefix],
      [
        p.rtx
          ? `home (carried over L2TPv3/IPsec from the RTX at ${p.rtx.routerAddress})`
          : `home (carried over hub ${p.hub})`,
        p.homePrefix,
      ],
    ]),
    "",
    p.rtx
      ? `Variant: rtx (a YAMAHA RTX at home; the VPS's bridge ${p.rtx.bridge} takes the tap's place)`
      : "Variant: softether (the home gateway cascades to the VPS hub; its tap carries the prefix)",
    "",
  );
  const hosts: string[][] = [["host", "interface", "IPv6", "IPv4", "gateway"]];
  hosts.push(["vps", p.uplink.interface, p.uplink.address6, "", "(provider)"]);
  hosts.push([
    "vps",
    p.tap.interface,
    `${p.tap.address6}/${p.homePrefixLength}`,
    `${p.tap.ipv4}/${p.tap.ipv4Length}`,
    "",
  ]);
  for (const vm of p.vms)
    hosts.push([
      vm.name,
      "",
      `${vm.address6}/${p.homePrefixLength}`,
      vm.ipv4 ? `${vm.ipv4}/${vm.ipv4Length}` : "",
      `${vm.gateway6}${vm.gateway4 ? ", " + vm.gateway4 : ""}`,
    ]);
  out.push("Addresses", table(hosts), "");
  if (p.retired.length)
    out.push(
      "Retired (state: absent): not served by the VPS; their static configuration is removed where they can be reached",
      ...p.retired.map((vm) => `  ${vm.name}: ${vm.address6}${vm.ipv4 ? `, ${vm.ipv4}` : ""}`),
      "",
    );
  out.push(
    `Router advertisements (radvd on the ${p.rtx ? "bridge" : "tap"})`,
    `  ${p.tap.interface}: prefix ${p.homePrefix}, on-link, no SLAAC${p.homePrefixLength === 64 ? "" : " (not a /64)"}${p.dns.length ? `, RDNSS ${p.dns.join(" ")}` : ""}`,
    "",
  );
  out.push(
    "Neighbour discovery proxy (ndppd on the uplink)",
    ...p.ndp.map((r) => `  ${p.uplink.interface}: rule ${r.target} ${r.mode}`),
    "",
  );
  out.push(
    "Firewall",
    `  masquerade ${p.tap.ipv4Network}/${p.tap.ipv4Length} out of ${p.uplink.interface}`,
    `  IPv6 forward: established, out from ${p.tap.interface}, ICMPv6`,
  );
  for (const o of p.openings) out.push(`  IPv6 in: ${o.proto}/${o.port} to ${o.address}`);
  return out.join("\n") + "\n";
}
