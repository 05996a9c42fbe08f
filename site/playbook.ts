// The whole site: npx deploy playbooks/site.ts [-i inventory/lab.yaml] [--check --diff] [--tags radvd] [--limit vps]
// The VPS is converged before the home gateway (its cascade needs the hub), the VMs last.
import { bootstrapByMac } from "./bootstrap.js";
import { definePlay, definePlaybook, RunFact, z, zSecret } from "../src/index.js";
import { SITE_HOPS, siteVpsChecks } from "./checks.js";
import { siteVmChecks } from "./vm-checks.js";
import { sitePicture } from "./picture.js";
import { renderSitePlan, siteFromInventory, type SitePlan } from "./plan/index.js";
import { firewall } from "../roles/firewall/index.js";
import { ndppd } from "../roles/ndppd/index.js";
import { radvd } from "../roles/radvd/index.js";
import { softetherCascade } from "../roles/softether-cascade/index.js";
import { softetherServer } from "../roles/softether-server/index.js";
import { staticAddress } from "../roles/static-address/index.js";
import { tapBridge } from "../roles/tap-bridge/index.js";
import { l2tpv3LinkVar, peerRole, routerRole, rtxOwnVar } from "./rtx.js";

const HOME_USER = "home";
// read from the VPS in its play, pinned by the home gateway's cascade in the next
const vpsCert = new RunFact<string>("the VPS's SoftEther server certificate");

export default definePlaybook({
  name: "site",
  plan: (inventory) => siteFromInventory(inventory),
  describePlan: renderSitePlan,
  picture: sitePicture,
  // deploy verify: the hops in the order a packet meets them; the checks sit beside each play
  hops: SITE_HOPS,
  // a VM is reached at its planned address unless its ansible_host says otherwise (a management
  // path); one inside the home prefix that is not the planned address is refused
  hostAddress: (p: SitePlan, host) => {
    const vm = [...p.vms, ...p.retired].find((v) => v.name === host);
    if (!vm) return undefined;
    return {
      address: vm.address6,
      prefix: p.homePrefix,
      from: "home_host_index or home_address",
      // a first deploy: before the VM has its address, found by its MAC on the VPS's tap
      ...(vm.mac ? { bootstrap: bootstrapByMac(p.tap.interface, vm.mac) } : {}),
    };
  },
  plays: [
    definePlay({
      name: "vps",
      hosts: "vps",
      // the inventory variables each play reads: checked, with file and line, before any connection
      // the softether variant needs the hub's passwords, the rtx variant the link's parameter set
      vars: z
        .object({
          site: z.looseObject({ variant: z.string().optional() }),
          vpn_admin_password: zSecret.optional(),
          // a rotation: the password the server still has, given once
          vpn_admin_password_previous: zSecret.optional(),
          vpn_home_password: zSecret.optional(),
          l2tpv3_link: l2tpv3LinkVar.optional(),
          firewall_trusted_interfaces: z.array(z.string()).default([]),
          firewall_firewalld: z.enum(["open", "opened", "refuse"]).default("open"),
        })
        .superRefine((v, ctx) => {
          const rtx = v.site.variant === "rtx";
          const need = rtx ? ["l2tpv3_link"] : ["vpn_admin_password", "vpn_home_password"];
          for (const k of need)
            if (v[k as keyof typeof v] === undefined)
              ctx.addIssue({
                code: "custom",
                path: [k],
                message: `required by the ${rtx ? "rtx" : "softether"} variant`,
              });
        }),
      roles: (_host, p: SitePlan, v) => [
        // the downlink: SoftEther's tap, or the bridge of the L2TPv3 session from the RTX
        ...(p.variant === "rtx"
          ? [peerRole(p, v.l2tpv3_link!)]
          : [
              softetherServer({
                adminPassword: v.vpn_admin_password!,
                previousAdminPasswords: v.vpn_admin_password_previous ? [v.vpn_admin_password_previous] : [],
                hub: p.hub,
                users: [{ name: HOME_USER, password: v.vpn_home_password! }],
                listeners: [443, 5555],
                certificate: vpsCert,
              }),
              tapBridge({
                tap: p.tap.interface,
                addresses: [`${p.tap.address6}/${p.homePrefixLength}`, `${p.tap.ipv4}/${p.tap.ipv4Length}`],
                uplink: p.uplink.interface,
                // no router advertisement on the provider's link can take the home prefix
                pin: [p.homePrefix],
              }),
            ]),
        radvd({
          interface: p.tap.interface,
          prefixes: [{ prefix: p.homePrefix }],
          rdnss: p.dns,
          minInterval: 3,
          maxInterval: 10,
        }),
        p.ndpProxy === "kernel"
          ? ndppd({
              uplink: p.uplink.interface,
              mode: "kernel",
              addresses: p.ndp.map((r) => r.target.replace(/\/128$/, "")),
            })
          : ndppd({ uplink: p.uplink.interface, rules: p.ndp.map((r) => r.target) }),
        firewall({
          uplink: p.uplink.interface,
          tap: p.tap.interface,
          natSource: `${p.tap.ipv4Network}/${p.tap.ipv4Length}`,
          // anti-spoofing both ways; only the declared hosts are forwarded
          homePrefix: p.homePrefix,
          homeHosts6: p.vms.map((vm) => vm.address6),
          homeHosts4: p.vms.flatMap((vm) => (vm.ipv4 ? [vm.ipv4] : [])),
          openings: p.openings,
          tcpIn: [22, 443],
          uplinkRouters: p.uplink.router ? [p.uplink.router] : [],
          inputInterfaces: v.firewall_trusted_interfaces,
          firewalld: v.firewall_firewalld,
        }),
      ],
      checks: (host, p: SitePlan, v) =>
        p.variant === "rtx" ? siteVpsChecks(host, p) : siteVpsChecks(host, p, v.vpn_admin_password, HOME_USER),
    }),
    definePlay({
      name: "home gateway",
      hosts: "homegw",
      vars: z.object({
        homegw_admin_password: zSecret,
        homegw_admin_password_previous: zSecret.optional(),
        vpn_home_password: zSecret,
        vpn_server: z.string().min(1),
        home_lan_interface: z.string().min(1).default("eth1"),
        firewall_trusted_interfaces: z.array(z.string()).default([]),
        // the watchdog that restarts vpnserver when the cascade stays down (see the role's README)
        cascade_watchdog: z.boolean().default(true),
      }),
      roles: (_host, p: SitePlan, v) => [
        softetherCascade({
          adminPassword: v.homegw_admin_password,
          previousAdminPasswords: v.homegw_admin_password_previous ? [v.homegw_admin_password_previous] : [],
          nic: v.home_lan_interface,
          firewall: { trustedInterfaces: v.firewall_trusted_interfaces },
          watchdog: { enabled: v.cascade_watchdog, maxDownSeconds: 60, intervalSeconds: 5 },
          cascade: {
            server: v.vpn_server,
            port: 443,
            hub: p.hub,
            user: HOME_USER,
            password: v.vpn_home_password,
            serverCert: vpsCert,
          },
        }),
      ],
    }),
    definePlay({
      name: "home VMs",
      hosts: "vms",
      vars: z.object({ home_interface: z.string().min(1).default("eth0") }),
      roles: (host, p: SitePlan, v) => {
        const retired = p.retired.find((v) => v.name === host.name);
        if (retired) host.optional(`${host.name} is marked state: absent`);
        const vm = retired ?? p.vms.find((v) => v.name === host.name)!;
        return [
          staticAddress({
            ...(retired ? { state: "absent" as const } : {}),
            interface: v.home_interface,
            address6: vm.address6,
            prefixLength6: p.homePrefixLength,
            gateway6: vm.gateway6,
            ipv4: vm.ipv4,
            prefixLength4: vm.ipv4Length,
            gateway4: vm.gateway4,
            dns: p.dns,
          }),
        ];
      },
      checks: (host, p: SitePlan) => (p.retired.some((v) => v.name === host.name) ? [] : siteVmChecks(host, p)),
    }),
    definePlay({
      // The rtx variant: a YAMAHA RTX router at home with an L2TPv3/IPsec tunnel over IPv6 to
      // the VPS (hosts with ansible_connection: rtx). Its parameters come from the link's one
      // parameter set (l2tpv3_link, shared with the VPS) and the router's own rtx_l2tpv3.
      name: "router",
      hosts: "router",
      vars: z
        .object({
          site: z.looseObject({ variant: z.string().optional() }),
          l2tpv3_link: l2tpv3LinkVar,
          rtx_l2tpv3: rtxOwnVar.prefault({}),
        })
        .superRefine((v, ctx) => {
          if (v.site.variant !== "rtx")
            ctx.addIssue({ code: "custom", path: ["site", "variant"], message: "a router host needs variant: rtx" });
        }),
      roles: (_host, p: SitePlan, v) => [routerRole(p, v.l2tpv3_link, v.rtx_l2tpv3)],
    }),
  ],
});
