import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { InputError, type Problem } from "../src/errors.js";
import { type SiteInput, sitePlan } from "./plan/index.js";
import { parseCommandLine } from "../src/cli/args.js";
import { FIELDS, INIT_OPTIONS, INIT_USAGE } from "./init-options.js";

type Field = (typeof FIELDS)[number][0];

const FILES = ["inventory/hosts.yaml", "playbooks/site.ts", ".gitignore", "tsconfig.json"];

function inventoryYaml(
  v: Record<Field, string>,
  server: string,
  dns: string[],
  vms: Array<{ name: string; index: number; mac?: string }>,
): string {
  const q = (s: string) => JSON.stringify(s);
  return `# Your site (written by deploy init). Secrets are never in this file: set them before a run,
#   export HCD_VPN_ADMIN_PASSWORD=... HCD_VPN_HOME_PASSWORD=... HCD_HOMEGW_ADMIN_PASSWORD=...
# Every variable is described in homecloud-deploy's README ("Inventory").
all:
  vars:
    ansible_user: ${q(v.user)}               # a cloud image's sudo user (NOPASSWD)
    ansible_become: true
    site:
      vps_prefix: ${v["vps-prefix"]}
      uplink_interface: ${v["uplink-interface"]}
      uplink_address: ${v["uplink-address"]}
      home_prefix: ${v["home-prefix"]}
      hub: ${v.hub}
      tap_host_index: 1
      tap_ipv4: ${v["tap-ipv4"]}
      dns: [${dns.join(", ")}]      # the VMs' resolvers (--dns)
    vpn_admin_password: !env HCD_VPN_ADMIN_PASSWORD
    vpn_home_password: !env HCD_VPN_HOME_PASSWORD
    homegw_admin_password: !env HCD_HOMEGW_ADMIN_PASSWORD
    verify_resolve: deb.debian.org       # deploy verify: each VM resolves it
    verify_outside_ipv6: 2001:4860:4860::8888   # deploy verify: each VM reaches these (outside the site)
    verify_outside_ipv4: 8.8.8.8
  children:
    vps:
      hosts:
        vps:
          ansible_host: ${q(v["vps-host"])}
          # its SSH host key as the provider's console shows it (never trusted on first use):
          # deploy_host_key: "SHA256:..."
    homegw:
      hosts:
        homegw:
          ansible_host: ${q(v["homegw-host"])}
          vpn_server: ${q(server)}          # the VPS as the home gateway reaches it (IPv4 if home has no IPv6)
          home_lan_interface: ens19          # its NIC on the closed home LAN (Proxmox names)
    vms:
      vars:
        deploy_jump: vps
        home_interface: ens18
      hosts:
${vms.map((vm) => `        ${vm.name}:\n          home_host_index: ${vm.index}\n          ${vm.mac ? `home_mac: "${vm.mac}"` : '# home_mac: "bc:24:11:..."  # its NIC on the home LAN: a first deploy finds it by it'}\n          firewall_open: [tcp/22]`).join("\n")}
`;
}

const PLAYBOOK = `// The site, from the homecloud-deploy package: upgrading the package brings its fixes.
// deploy plan playbooks/site.ts | deploy playbooks/site.ts --check --diff | deploy verify playbooks/site.ts
export { default } from "homecloud-deploy/site";
`;

const GITIGNORE = `node_modules/
# secrets never go into git: keep them in files outside the project, or in the environment
secrets/
*.secret
.vault-pass*
*.log
*.html
`;

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    },
    include: ["playbooks"],
  },
  null,
  2,
)}\n`;

async function ask(values: Partial<Record<Field, string>>): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (const [name, question, dflt] of FIELDS) {
      if (values[name] !== undefined) continue;
      const answer = (await rl.question(`${question}${dflt ? ` [${dflt}]` : ""}: `)).trim();
      if (answer || dflt) values[name] = answer || dflt;
    }
  } finally {
    rl.close();
  }
}

/** `deploy init [DIR]`: a project of the user's own, validated by the address plan before anything is written. */
export async function initCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, INIT_OPTIONS, INIT_USAGE);
  const dir = positionals[0] ?? ".";
  const given: Partial<Record<Field, string>> = {};
  const raw = values as Record<string, unknown>;
  for (const [name] of FIELDS) if (typeof raw[name] === "string") given[name] = raw[name] as string;
  if (process.stdin.isTTY && FIELDS.some(([n]) => given[n] === undefined)) await ask(given);
  const problems: Problem[] = [];
  for (const [name, , dflt] of FIELDS) {
    given[name] ??= dflt;
    if (given[name] === undefined)
      problems.push({
        field: `--${name}`,
        message: "missing",
        hint: "give it, or run deploy init on a terminal to be asked",
      });
  }
  const vms = ((values.vm as string[] | undefined) ?? ["vm1:16"]).map((s) => {
    const m = /^([A-Za-z0-9_.-]+):(\d+)(?:,(\S+))?$/.exec(s);
    if (!m) problems.push({ field: "--vm", message: `"${s}" is not NAME:INDEX[,MAC] (e.g. vm1:16,bc:24:11:aa:bb:0c)` });
    return { name: m?.[1] ?? s, index: Number(m?.[2] ?? 0), ...(m?.[3] ? { mac: m[3] } : {}) };
  });
  // public resolvers unless given (Google's, Cloudflare's): a VM without one cannot even apt update
  const dns = (values.dns as string[] | undefined) ?? ["2001:4860:4860::8888", "2606:4700:4700::1111"];
  const exists = FILES.filter((f) => existsSync(join(dir, f)));
  if (exists.length)
    problems.push({
      field: dir,
      message: `would overwrite ${exists.join(", ")}`,
      hint: "init writes a new project only",
    });
  if (problems.length) throw new InputError(problems);
  const v = given as Record<Field, string>;
  const input: SiteInput = {
    vpsPrefix: v["vps-prefix"],
    uplinkInterface: v["uplink-interface"],
    uplinkAddress: v["uplink-address"],
    homePrefix: v["home-prefix"],
    hub: v.hub,
    tapHostIndex: 1,
    tapIpv4: v["tap-ipv4"],
    dns,
    vms: vms.map((vm) => ({ name: vm.name, hostIndex: vm.index, open: ["tcp/22"], mac: vm.mac })),
  };
  // the same address plan as deploy plan: nothing is written for a plan that does not hold
  const planned = sitePlan(input);
  if (planned.problems.length)
    throw new InputError(
      planned.problems.map((p) => {
        // a VM's field is the --vm that gave it (e.g. "--vm db (home_mac)")
        const vm = vms.find((v) => p.field?.startsWith(`${v.name}.`));
        const field = vm
          ? `--vm ${vm.name} (${p.field!.slice(vm.name.length + 1)})`
          : `--${p.field?.replace(/_/g, "-")}`;
        return { ...p, field };
      }),
    );
  const texts: Record<string, string> = {
    // the home gateway reaches the VPS as the user's laptop at home does, unless told otherwise
    "inventory/hosts.yaml": inventoryYaml(v, (raw["vpn-server"] as string | undefined) ?? v["vps-host"], dns, vms),
    "playbooks/site.ts": PLAYBOOK,
    ".gitignore": GITIGNORE,
    "tsconfig.json": TSCONFIG,
  };
  for (const [file, text] of Object.entries(texts)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text, { flag: "wx" });
  }
  const rel = relative(process.cwd(), dir) || ".";
  const at = rel.startsWith("..") ? resolve(dir) : rel;
  process.stdout.write(
    [
      `wrote ${FILES.map((f) => join(at, f)).join(", ")}`,
      "",
      "next:",
      ...(at === "." ? [] : [`  cd ${at}`]),
      "  npx deploy plan playbooks/site.ts                   # the addresses, from your inventory",
      "  export HCD_VPN_ADMIN_PASSWORD=... HCD_VPN_HOME_PASSWORD=... HCD_HOMEGW_ADMIN_PASSWORD=...",
      "  npx deploy playbooks/site.ts --check --diff         # what a run would change",
      "  npx deploy playbooks/site.ts && npx deploy verify playbooks/site.ts",
      "",
    ].join("\n"),
  );
  return 0;
}
