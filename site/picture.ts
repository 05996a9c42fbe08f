// `deploy plan --html` and `deploy verify --html` for the site: the picture a user would sketch,
// left to right as a packet from the internet goes: the provider, the VPS, the tunnel, the home
// gateway (or the RTX), the VMs. Each box and link names the verify hops that prove it.
import type { Sketch, SketchLink, SketchNode } from "../src/index.js";
import type { SitePlan } from "./plan/index.js";

const ports = (o: Array<{ proto: string; port: number }>) => o.map((x) => `${x.proto}/${x.port}`).join(" ") || "none";

export function sitePicture(p: SitePlan): Sketch {
  const rtx = p.variant === "rtx";
  const home = rtx ? "router" : "homegw";
  const nodes: SketchNode[] = [
    { id: "internet", title: "the internet", lines: ["IPv6 (native)", "IPv4 (through NAT)"], column: 0 },
    {
      id: "provider",
      title: "the provider's router",
      lines: [
        `routes ${p.vpsPrefix}`,
        `on-link to ${p.uplink.interface}`,
        `router ${p.uplink.router ?? "(from its RAs)"}`,
      ],
      column: 1,
    },
    {
      id: "vps",
      title: "VPS",
      lines: [
        `${p.uplink.interface} ${p.uplink.address6}`,
        `${p.tap.interface} ${p.tap.address6}`,
        `${p.tap.ipv4}/${p.tap.ipv4Length}, NAT out of ${p.uplink.interface}`,
        `radvd: ${p.homePrefix}`,
        `neighbour proxy: ${p.ndp.length} addresses`,
        `firewall: ${p.openings.length} openings`,
      ],
      column: 2,
      hops: ["uplink", "host-firewall", "softether", "tap", "radvd", "ndp", "firewall", "l2tp"].map((hop) => ({
        hop,
        host: "vps",
      })),
    },
    {
      id: "tunnel",
      title: rtx ? "L2TPv3 over IPsec" : "SoftEther cascade",
      lines: rtx
        ? [`to ${p.rtx?.routerAddress ?? "the RTX"}`, `bridged into ${p.rtx?.bridge ?? p.tap.interface}`]
        : [`hub ${p.hub} over TLS (443)`, "the server certificate pinned"],
      column: 3,
      hops: rtx ? [{ hop: "l2tp" }, { hop: "rtx" }] : [{ hop: "cascade" }],
    },
    {
      id: home,
      title: rtx ? "YAMAHA RTX" : "home gateway",
      lines: rtx
        ? ["the tunnel's home end", "bridged to the home LAN"]
        : [`cascades to hub ${p.hub}`, "bridges it to the home LAN"],
      column: 4,
      hops: rtx
        ? [{ hop: "rtx" }]
        : [
            { hop: "cascade", host: "homegw" },
            { hop: "softether", host: "homegw" },
          ],
    },
    ...p.vms.map(
      (vm): SketchNode => ({
        id: vm.name,
        title: vm.name,
        lines: [
          `${vm.address6}/${p.homePrefixLength}`,
          ...(vm.ipv4 ? [`${vm.ipv4}/${vm.ipv4Length}`] : []),
          `via ${vm.gateway6}`,
          `open: ${ports(vm.open)}`,
        ],
        column: 5,
        hops: ["vm", "reach", "nat"].map((hop) => ({ hop, host: vm.name })),
      }),
    ),
  ];
  const links: SketchLink[] = [
    { from: "internet", to: "provider", label: "/64" },
    { from: "provider", to: "vps", label: "uplink", hops: [{ hop: "uplink" }, { hop: "ndp" }] },
    {
      from: "vps",
      to: "tunnel",
      label: rtx ? "l2tp" : "hub",
      hops: [{ hop: rtx ? "l2tp" : "softether", host: "vps" }],
    },
    { from: "tunnel", to: home, label: rtx ? "IPsec" : "TLS", hops: [{ hop: rtx ? "l2tp" : "cascade" }] },
    ...p.vms.map((vm) => ({ from: home, to: vm.name, label: "home LAN", hops: [{ hop: "reach", host: vm.name }] })),
  ];
  return {
    title: `The site: ${p.homePrefix} carried home from ${p.vpsPrefix}`,
    subtitle: `${p.variant} variant, ${p.vms.length} VMs, DNS ${p.dns.join(", ") || "none"}`,
    nodes,
    links,
  };
}
