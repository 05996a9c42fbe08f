// The whole site: npx deploy playbooks/site.ts [-i inventory/lab.yaml] [--check --diff] [--tags radvd] [--limit vps]
// The VPS is converged before the home gateway (its cascade needs the hub), the VMs last.
import { definePlaybook, type Secret } from "../src/index.js";
import { renderSitePlan, siteFromInventory } from "../src/net/index.js";
import { firewall } from "../roles/firewall/index.js";
import { ndppd } from "../roles/ndppd/index.js";
import { radvd } from "../roles/radvd/index.js";
import { softetherCascade } from "../roles/softether-cascade/index.js";
import { softetherServer } from "../roles/softether-server/index.js";
import { staticAddress } from "../roles/static-address/index.js";
import { tapBridge } from "../roles/tap-bridge/index.js";
import { yamahaL2tpv3 } from "../roles/yamaha-l2tpv3/index.js";

const secretVar = (v: unknown) => v as Secret;
const HOME_USER = "home";

export default definePlaybook({
  name: "site",
  plan: (inventory) => siteFromInventory(inventory),
  describePlan: renderSitePlan,
  plays: [
    {
      name: "vps",
      hosts: "vps",
      roles: (host, p) => [
        softetherServer({ adminPassword: secretVar(host.vars.vpn_admin_password), hub: p.hub, users: [{ name: HOME_USER, password: secretVar(host.vars.vpn_home_password) }], listeners: [443, 5555] }),
        tapBridge({ tap: p.tap.interface, addresses: [`${p.tap.address6}/${p.homePrefixLength}`, `${p.tap.ipv4}/${p.tap.ipv4Length}`], uplink: p.uplink.interface }),
        radvd({ interface: p.tap.interface, prefixes: [{ prefix: p.homePrefix }], rdnss: p.dns, minInterval: 3, maxInterval: 10 }),
        ndppd({ uplink: p.uplink.interface, rules: p.ndp.map((r) => r.target) }),
        firewall({
          uplink: p.uplink.interface,
          tap: p.tap.interface,
          natSource: `${p.tap.ipv4Network}/${p.tap.ipv4Length}`,
          openings: p.openings,
          tcpIn: [22, 443],
          inputInterfaces: (host.vars.firewall_trusted_interfaces as string[] | undefined) ?? [],
        }),
      ],
    },
    {
      name: "home gateway",
      hosts: "homegw",
      roles: (host, p) => [
        softetherCascade({
          adminPassword: secretVar(host.vars.homegw_admin_password),
          nic: String(host.vars.home_lan_interface ?? "eth1"),
          cascade: { server: String(host.vars.vpn_server), port: 443, hub: p.hub, user: HOME_USER, password: secretVar(host.vars.vpn_home_password) },
        }),
      ],
    },
    {
      name: "home VMs",
      hosts: "vms",
      roles: (host, p) => {
        const vm = p.vms.find((v) => v.name === host.name)!;
        return [
          staticAddress({
            interface: String(host.vars.home_interface ?? "eth0"),
            address6: vm.address6,
            prefixLength6: p.homePrefixLength,
            gateway6: vm.gateway6,
            ipv4: vm.ipv4,
            prefixLength4: vm.ipv4Length,
            gateway4: vm.gateway4,
          }),
        ];
      },
    },
    {
      // The older variant: a YAMAHA RTX router at home with an L2TPv3/IPsec tunnel over IPv6
      // to the VPS (hosts with ansible_connection: rtx). Its parameters are the host's rtx_l2tpv3.
      name: "router",
      hosts: "router",
      roles: (host) => [yamahaL2tpv3(host.vars.rtx_l2tpv3 as Parameters<typeof yamahaL2tpv3>[0])],
    },
  ],
});
