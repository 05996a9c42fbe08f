// What `deploy verify` checks on each VM of the site: the router advertisement, and the paths to
// the tap, the uplink, the outside (IPv6) and through the VPS's NAT (IPv4); a name resolved.
import { type HostContext, type VerifyCheck, pingCheck, quote } from "../src/index.js";
import { vantageAddress } from "./checks.js";
import type { SitePlan } from "./plan/index.js";

/** Checks made on each VM: the RA, and the paths to the tap, the uplink, the outside and IPv4 through the NAT. */
export function siteVmChecks(host: HostContext, p: SitePlan): VerifyCheck[] {
  const vm = p.vms.find((v) => v.name === host.name);
  if (!vm) return [];
  const self = [`vm@${vm.name}`];
  const checks: VerifyCheck[] = [
    {
      hop: "radvd",
      id: "ra-received",
      title: `${vm.name} has received a router advertisement with ${p.homePrefix}`,
      after: ["cascade"],
      // networkd and the kernel both keep what an RA taught as routes "proto ra"; without one,
      // radvdump (if installed) listens for the next RA
      script: [
        `ip -6 route show proto ra | grep -F ${quote(p.homePrefix)} && exit 0`,
        "command -v radvdump >/dev/null || { ip -6 route show proto ra; exit 1; }",
        `timeout 25 stdbuf -oL radvdump 2>/dev/null | grep -m1 -i -F ${quote(`prefix ${p.homePrefix}`)}`,
      ].join("\n"),
      show: `ip -6 route show proto ra | grep ${p.homePrefix}  (else radvdump, 25 s)`,
    },
    pingCheck(
      { hop: "reach", id: "tap6", title: `${vm.name} reaches the tap at ${vm.gateway6}`, after: self },
      vm.gateway6,
    ),
    pingCheck(
      { hop: "reach", id: "uplink6", title: `${vm.name} reaches the VPS uplink at ${p.uplink.address6}`, after: self },
      p.uplink.address6,
    ),
  ];
  const out6 = vantageAddress(host, "verify_outside_ipv6");
  checks.push(
    out6
      ? pingCheck(
          { hop: "reach", id: "outside6", title: `${vm.name} reaches ${out6} outside the site`, after: self },
          out6,
        )
      : {
          hop: "reach",
          id: "outside6",
          title: `${vm.name} reaches the outside over IPv6`,
          script: "true",
          skip: "set verify_outside_ipv6 to an address outside the site",
        },
  );
  if (vm.gateway4) {
    checks.push(
      pingCheck(
        { hop: "nat", id: "tap4", title: `${vm.name} reaches the tap's IPv4 ${vm.gateway4}`, after: self },
        vm.gateway4,
      ),
    );
    const out4 = vantageAddress(host, "verify_outside_ipv4");
    checks.push(
      out4
        ? pingCheck(
            {
              hop: "nat",
              id: "outside4",
              title: `${vm.name} reaches ${out4} through the NAT`,
              after: self,
            },
            out4,
          )
        : {
            hop: "nat",
            id: "outside4",
            title: `${vm.name} reaches the outside over IPv4`,
            script: "true",
            skip: "set verify_outside_ipv4 to an address outside the site",
          },
    );
  }
  checks.push(resolveCheck(host, vm.name, p.dns));
  return checks;
}

/** The VM resolves a name (verify_resolve, e.g. deb.debian.org): apt and everything else need it. */
function resolveCheck(host: HostContext, vm: string, dns: string[]): VerifyCheck {
  const name = vantageAddress(host, "verify_resolve");
  const base = { hop: "reach", id: "resolve", after: [`vm@${vm}`] };
  if (!dns.length)
    return { ...base, title: `${vm} resolves names`, script: "true", skip: "give the VMs resolvers in site.dns" };
  if (!name)
    return {
      ...base,
      title: `${vm} resolves names`,
      script: "true",
      skip: "set verify_resolve to a name the resolvers answer (e.g. deb.debian.org)",
    };
  return {
    ...base,
    title: `${vm} resolves ${name} (resolvers ${dns.join(", ")})`,
    // getent asks as every program does (nsswitch, /etc/resolv.conf)
    script: `timeout 15 getent ahosts ${quote(name)} || { echo "--- /etc/resolv.conf"; cat /etc/resolv.conf; exit 1; }`,
    show: `getent ahosts ${name}`,
  };
}
