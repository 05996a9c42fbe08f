// The corpus of bad inputs (promise 9): each must be refused before any connection, with a
// one-screen message that names the file, line or field, and no stack trace.
// PORT is replaced by a local port that counts connections (there must be none).

export interface BadInput {
  name: string;
  /** Inventory YAML (default: a valid one with two hosts). */
  inventory?: string;
  /** Playbook module source (.mjs; default: a valid one). "SITE" uses playbooks/site.ts. */
  playbook?: string;
  /** Extra or replacement command-line words (PLAYBOOK, INVENTORY and EMPTYDIR are placeholders). */
  args?: string[];
  /** What the message must say. */
  expect: RegExp;
}

const HOSTS =
  "  hosts:\n    h1:\n      ansible_host: 127.0.0.1\n      ansible_port: PORT\n    h2:\n      ansible_host: 127.0.0.1\n      ansible_port: PORT\n";
export const GOOD_INVENTORY = `all:\n  vars:\n    ansible_user: root\n${HOSTS}`;
const inv = (extraHostVars: string) =>
  `all:\n  vars:\n    ansible_user: root\n  hosts:\n    h1:\n      ansible_host: 127.0.0.1\n      ansible_port: PORT\n${extraHostVars.replace(/^/gm, "      ")}\n`;
/** The good inventory with one more variable of all (its text indented under all.vars). */
const allVar = (line: string) =>
  GOOD_INVENTORY.replace("    ansible_user: root\n", `    ansible_user: root\n    ${line}\n`);
const invRaw = (vars: string) => `all:\n  vars:\n${vars.replace(/^/gm, "    ")}\n${HOSTS}`;

/** An Ansible Vault value of "sample" (password "the-pass"), as ansible-vault encrypt_string makes one. */
const SAMPLE_VAULT =
  "$ANSIBLE_VAULT;1.1;AES256" +
  "\n" +
  "62353038303363316539373061613539376437656336356136656162313438316265316433663564" +
  "\n" +
  "3835326631373831393834366534346462376564393537640a643465316666663836343761323730" +
  "\n" +
  "36376435333237323533636533333339363764336463366666346564393932363366313763633438" +
  "\n" +
  "3136643338636439370a623439663665653764383364323365323733303961303963363065663564" +
  "\n" +
  "3136";

const LIB = "LIB"; // replaced by the path of dist/src/index.js
export const GOOD_PLAYBOOK = `import { definePlaybook, file } from "${LIB}";\nexport default definePlaybook({ name: "corpus", plays: [{ hosts: "all", tasks: () => [file({ path: "/tmp/corpus", content: "x\\n" })] }] });\n`;
const pb = (plays: string, extra = "") =>
  `import { definePlaybook, defineRole, file, z } from "${LIB}";\n${extra}\nexport default definePlaybook({ name: "corpus", plays: ${plays} });\n`;
const ROLE = `const web = defineRole({ name: "web", params: z.object({ port: z.number().int().min(1).max(65535), name: z.string().min(1) }), tasks: (p) => [file({ path: "/etc/web", content: p.name + p.port })] });`;

/** The site inventory (inventory/lab.yaml) with one edit; secrets inline so no lab is needed. */
export const site = (name: string, from: string | RegExp, to: string, expect: RegExp): BadInput => ({
  name: `site: ${name}`,
  playbook: "SITE",
  inventory: `SITE_INVENTORY:${JSON.stringify([from instanceof RegExp ? from.source : from, to, from instanceof RegExp])}`,
  expect,
});

export const BAD_INPUTS: BadInput[] = [
  // broken YAML
  { name: "unclosed flow sequence", inventory: "all:\n  hosts: [h1\n", expect: /YAML:/ },
  { name: "tab indentation", inventory: "all:\n\thosts:\n\t\th1:\n", expect: /YAML:/ },
  {
    name: "duplicate key",
    inventory: "all:\n  hosts:\n    h1:\n    h1:\n",
    expect: /YAML:.*[Uu]nique|YAML:.*duplicate/,
  },
  {
    name: "unterminated quoted string",
    inventory: 'all:\n  vars:\n    x: "open\n  hosts:\n    h1:\n',
    expect: /YAML:/,
  },
  { name: "bad indentation", inventory: "all:\n  hosts:\n    h1:\n   h2:\n", expect: /YAML:|hosts/ },
  { name: "undefined alias", inventory: "all:\n  vars:\n    x: *nothing\n  hosts:\n    h1:\n", expect: /YAML:/ },
  { name: "list at the top", inventory: "- all\n- h1\n", expect: /must be a mapping of group names/ },
  { name: "scalar at the top", inventory: "hello\n", expect: /must be a mapping of group names/ },
  { name: "empty file", inventory: "", expect: /inventory is empty/ },
  { name: "only comments", inventory: "# nothing here\n", expect: /inventory is empty/ },
  { name: "mapping value where a key belongs", inventory: "all:\n  hosts: h1: x\n", expect: /YAML:/ },
  // structure
  { name: "unknown key in a group", inventory: `all:\n  host:\n    h1:\n`, expect: /unknown key "host"/ },
  {
    name: "unknown key beside hosts",
    inventory: `all:\n  vars: {}\n  hostz: {}\n${HOSTS}`,
    expect: /unknown key "hostz"/,
  },
  { name: "hosts as a list", inventory: "all:\n  hosts:\n    - h1\n", expect: /hosts must be a mapping/ },
  {
    name: "children as a list",
    inventory: `all:\n  children:\n    - web\n${HOSTS}`,
    expect: /children must be a mapping/,
  },
  {
    name: "group all as a child",
    inventory: `all:\n  children:\n    all:\n${HOSTS}`,
    expect: /group all cannot be a child/,
  },
  { name: "invalid host name", inventory: "all:\n  hosts:\n    'bad host':\n", expect: /not a valid host name/ },
  {
    name: "invalid group name",
    inventory: `all:\n  children:\n    'web servers':\n      hosts:\n        h1:\n`,
    expect: /not a valid group name/,
  },
  {
    name: "group cycle",
    inventory: `all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n${HOSTS}`,
    expect: /cycle/,
  },
  { name: "vars as a list", inventory: `all:\n  vars:\n    - x\n${HOSTS}`, expect: /vars must be a mapping/ },
  { name: "bad variable name", inventory: `all:\n  vars:\n    9lives: x\n${HOSTS}`, expect: /variable names/ },
  { name: "variable name with a dash", inventory: `all:\n  vars:\n    my-var: x\n${HOSTS}`, expect: /variable names/ },
  { name: "no hosts at all", inventory: "all:\n  vars:\n    x: 1\n", expect: /no hosts/ },
  {
    name: "group that is a string",
    inventory: `all:\n  children:\n    web: yes\n${HOSTS}`,
    expect: /group web must be a mapping/,
  },
  { name: "group vars that are a string", inventory: `all:\n  vars: nope\n${HOSTS}`, expect: /vars must be a mapping/ },
  // connection variables
  {
    name: "port as a word",
    inventory: inv("ansible_port: ssh").replace("      ansible_port: PORT\n", ""),
    expect: /ansible_port must be a whole number/,
  },
  {
    name: "port zero",
    inventory: inv("").replace("ansible_port: PORT", "ansible_port: 0"),
    expect: /ansible_port must be a whole number from 1 to 65535/,
  },
  {
    name: "port too large",
    inventory: inv("").replace("ansible_port: PORT", "ansible_port: 70000"),
    expect: /not 70000/,
  },
  {
    name: "negative port",
    inventory: inv("").replace("ansible_port: PORT", "ansible_port: -22"),
    expect: /ansible_port/,
  },
  {
    name: "fractional port",
    inventory: inv("").replace("ansible_port: PORT", "ansible_port: 22.5"),
    expect: /ansible_port/,
  },
  {
    name: "port as a list",
    inventory: inv("").replace("ansible_port: PORT", "ansible_port: [22]"),
    expect: /ansible_port/,
  },
  {
    name: "become is not a boolean",
    inventory: inv("ansible_become: maybe"),
    expect: /ansible_become must be true or false/,
  },
  { name: "become is a number", inventory: inv("ansible_become: 2"), expect: /ansible_become must be true or false/ },
  { name: "user is a list", inventory: inv("ansible_user: [a, b]"), expect: /ansible_user must be a non-empty string/ },
  { name: "empty user", inventory: inv("ansible_user: ''"), expect: /ansible_user must be a non-empty string/ },
  {
    name: "unknown ansible variable",
    inventory: inv("ansible_ssh_pipelining: true"),
    expect: /unknown connection variable ansible_ssh_pipelining/,
  },
  {
    name: "unknown deploy variable",
    inventory: inv("deploy_jumphost: vps"),
    expect: /unknown connection variable deploy_jumphost/,
  },
  {
    name: "unsupported connection",
    inventory: inv("ansible_connection: winrm"),
    expect: /connection "winrm" is not supported/,
  },
  { name: "unsupported become method", inventory: inv("ansible_become_method: su"), expect: /become method "su"/ },
  {
    name: "a become user that is not a name",
    inventory: inv("ansible_become_user: 'root; id'"),
    expect: /h1\.ansible_become_user.*not a user name/s,
  },
  {
    name: "a pinned host key that is no key",
    inventory: inv("deploy_host_key: ssh-ed25519 not-base64!"),
    expect: /h1\.deploy_host_key.*neither a public key/s,
  },
  {
    name: "missing key file",
    inventory: inv("ansible_ssh_private_key_file: /nonexistent/id_ed25519"),
    expect: /cannot read the private key \/nonexistent\/id_ed25519 \(ENOENT\)/,
  },
  {
    name: "key file is a directory",
    inventory: inv("ansible_ssh_private_key_file: /"),
    expect: /private key|ansible_ssh_private_key_file/,
  },
  {
    name: "negative deploy_timeout",
    inventory: inv("deploy_timeout: -5"),
    expect: /deploy_timeout must be a positive number/,
  },
  {
    name: "jump host loop",
    inventory: `all:\n  hosts:\n    ja:\n      ansible_host: 127.0.0.1\n      ansible_port: PORT\n      deploy_jump: jb\n    jb:\n      ansible_host: 127.0.0.1\n      deploy_jump: ja\n`,
    expect: /jump hosts form a loop/,
  },
  {
    name: "jump host malformed",
    inventory: inv("deploy_jump: 'a b c'"),
    expect: /neither an inventory host nor \[user@\]host\[:port\]/,
  },
  {
    name: "host name with spaces",
    inventory: inv("").replace("ansible_host: 127.0.0.1", "ansible_host: 'my host'"),
    expect: /not a host name or address/,
  },
  {
    name: "become password is a list",
    inventory: inv("ansible_become_password: [x]"),
    expect: /ansible_become_password must be a string or a secret/,
  },
  {
    name: "known hosts accept flag not boolean",
    inventory: inv("deploy_accept_new_host_key: sometimes"),
    expect: /deploy_accept_new_host_key must be true or false/,
  },
  {
    name: "rtx without password",
    inventory: inv("ansible_connection: rtx\nansible_become_password: !secret adm-pw"),
    expect: /RTX router needs its login password/,
  },
  {
    name: "rtx without administrator password",
    inventory: inv("ansible_connection: rtx\nansible_password: !secret login-pw"),
    expect: /administrator password/,
  },
  // secrets
  {
    name: "secret from an unset variable",
    inventory: invRaw("pw: !env HCD_CORPUS_SURELY_UNSET"),
    expect: /HCD_CORPUS_SURELY_UNSET is not set/,
  },
  {
    name: "secret file missing",
    inventory: invRaw("pw: !file /nonexistent/secret"),
    expect: /cannot read secret file \/nonexistent\/secret: ENOENT/,
  },
  {
    name: "secret file is a directory",
    inventory: invRaw("pw: !file /"),
    expect: /cannot read secret file \/: EISDIR/,
  },
  {
    name: "become password from an unset variable",
    inventory: inv("ansible_become_password: !env HCD_CORPUS_UNSET_2"),
    expect: /HCD_CORPUS_UNSET_2 is not set/,
  },
  {
    name: "site secret missing",
    playbook: "SITE",
    inventory:
      "SITE_INVENTORY:" +
      JSON.stringify(["vpn_admin_password: !secret [^\\n]+", "vpn_admin_password: !env HCD_CORPUS_UNSET_3", true]),
    expect: /HCD_CORPUS_UNSET_3 is not set/,
  },
  // playbooks
  {
    name: "playbook file missing",
    args: ["/nonexistent/playbook.ts", "-i", "INVENTORY"],
    expect: /playbook file not found/,
  },
  { name: "playbook with a syntax error", playbook: "export default {{\n", expect: /cannot load the playbook/ },
  { name: "playbook that exports nothing", playbook: "export const x = 1;\n", expect: /does not export a playbook/ },
  {
    name: "default export without plays",
    playbook: "export default { name: 'x' };\n",
    expect: /does not export a playbook/,
  },
  {
    name: "default export is a function",
    playbook: "export default () => ({ plays: [] });\n",
    expect: /does not export a playbook/,
  },
  {
    name: "playbook that throws on import",
    playbook: "throw new Error('boom at import');\n",
    expect: /cannot load the playbook: boom at import/,
  },
  {
    name: "playbook importing a missing module",
    playbook: "import x from './nope.mjs';\nexport default x;\n",
    expect: /cannot load the playbook/,
  },
  {
    name: "play without roles or tasks",
    playbook: pb(`[{ hosts: "all" }]`),
    expect: /a play needs roles, tasks or checks/,
  },
  {
    name: "role parameter of the wrong type",
    playbook: pb(`[{ hosts: "all", roles: () => [web({ port: "80", name: "a" })] }]`, ROLE),
    expect: /role web: port/,
  },
  {
    name: "role parameter missing",
    playbook: pb(`[{ hosts: "all", roles: () => [web({ port: 80 })] }]`, ROLE),
    expect: /role web: name/,
  },
  {
    name: "role parameter out of range",
    playbook: pb(`[{ hosts: "all", roles: () => [web({ port: 0, name: "a" })] }]`, ROLE),
    expect: /role web: port/,
  },
  {
    name: "unknown role parameter",
    playbook: pb(`[{ hosts: "all", roles: () => [web({ port: 80, name: "a", prot: 1 })] }]`, ROLE),
    expect: /role web: .*(prot|[Uu]nrecognized)/,
  },
  {
    name: "task with a relative path",
    playbook: pb(`[{ hosts: "all", tasks: () => [file({ path: "etc/x", content: "" })] }]`),
    expect: /the path must be absolute/,
  },
  {
    name: "task with a bad mode",
    playbook: pb(`[{ hosts: "all", tasks: () => [file({ path: "/etc/x", content: "", mode: "rw-r--r--" })] }]`),
    expect: /not an octal mode/,
  },
  {
    name: "a tasks function that throws",
    playbook: pb(`[{ hosts: "all", tasks: () => { throw new Error("no such thing"); } }]`),
    expect: /no such thing/,
  },
  // command line
  { name: "unknown option", args: ["PLAYBOOK", "-i", "INVENTORY", "--chekc"], expect: /Unknown option '--chekc'/ },
  {
    name: "forks zero",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--forks", "0"],
    expect: /--forks: must be a whole number >= 1/,
  },
  { name: "forks not a number", args: ["PLAYBOOK", "-i", "INVENTORY", "-f", "many"], expect: /--forks/ },
  { name: "negative timeout", args: ["PLAYBOOK", "-i", "INVENTORY", "--timeout", "-1"], expect: /--timeout/ },
  {
    name: "lock timeout not a number",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--lock-timeout", "soon"],
    expect: /--lock-timeout/,
  },
  { name: "two playbooks", args: ["PLAYBOOK", "PLAYBOOK", "-i", "INVENTORY"], expect: /one playbook expected/ },
  { name: "no playbook", args: ["-i", "INVENTORY"], expect: /no playbook given/ },
  {
    name: "limit to an unknown host",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--limit", "h7"],
    expect: /--limit: no host or group named "h7"/,
  },
  {
    name: "inventory file missing",
    args: ["PLAYBOOK", "-i", "/nonexistent/inventory.yaml"],
    expect: /inventory file not found/,
  },
  {
    name: "inventory is a folder of everything",
    args: ["PLAYBOOK", "-i", "/"],
    expect: /more than 200 entries: not an inventory folder/,
  },
  {
    name: "inventory folder with no inventory",
    args: ["PLAYBOOK", "-i", "EMPTYDIR"],
    expect: /no inventory file in this folder/,
  },
  { name: "unknown lab command", args: ["lab", "sideways"], expect: /unknown lab command "sideways"/ },
  { name: "unknown topology", args: ["lab", "up", "--topology", "mesh"], expect: /unknown topology "mesh"/ },
  // the site's address plan
  site(
    "misaligned prefix from the issue",
    "home_prefix: 2001:db8:0:8964:8964::/78",
    "home_prefix: 2001:db8::8964:/78",
    /site.home_prefix: "2001:db8::8964:" is not an IPv6 address/,
  ),
  site(
    "home prefix not aligned",
    "home_prefix: 2001:db8:0:8964:8964::/78",
    "home_prefix: 2001:db8:0:8964:8965::/78",
    /not aligned.*did you mean 2001:db8:0:8964:8964::\/78/,
  ),
  site(
    "home prefix outside the VPS /64",
    "home_prefix: 2001:db8:0:8964:8964::/78",
    "home_prefix: 2001:db8:0:8965::/78",
    /does not lie inside the VPS prefix/,
  ),
  site(
    "home prefix as long as the VPS prefix",
    "home_prefix: 2001:db8:0:8964:8964::/78",
    "home_prefix: 2001:db8:0:8964::/64",
    /does not lie inside the VPS prefix/,
  ),
  site(
    "home prefix too small",
    "home_prefix: 2001:db8:0:8964:8964::/78",
    "home_prefix: 2001:db8:0:8964:8964::/126",
    /too small/,
  ),
  site(
    "VPS prefix longer than /64",
    "vps_prefix: 2001:db8:0:8964::/64",
    "vps_prefix: 2001:db8:0:8964::/72",
    /longer than \/64/,
  ),
  site(
    "VPS prefix not a prefix",
    "vps_prefix: 2001:db8:0:8964::/64",
    "vps_prefix: '2001:db8:0:8964::'",
    /not an IPv6 prefix/,
  ),
  site(
    "VPS prefix length over 128",
    "vps_prefix: 2001:db8:0:8964::/64",
    "vps_prefix: 2001:db8:0:8964::/164",
    /longer than 128/,
  ),
  site(
    "uplink inside the home prefix",
    "uplink_address: 2001:db8:0:8964::2",
    "uplink_address: 2001:db8:0:8964:8964::2",
    /inside the home prefix/,
  ),
  site(
    "uplink outside the VPS prefix",
    "uplink_address: 2001:db8:0:8964::2",
    "uplink_address: 2001:db8:1::2",
    /outside the VPS prefix/,
  ),
  site(
    "a VM's ansible_host in the home prefix that is not its planned address",
    "ansible_host: 10.231.0.14",
    'ansible_host: "2001:db8:0:8964:8964::99"',
    /vm1.ansible_host: 2001:db8:0:8964:8964::99 lies in 2001:db8:0:8964:8964::\/78, where the plan gives vm1 2001:db8:0:8964:8964::10 \(from home_host_index or home_address\): the two disagree/,
  ),
  site(
    "uplink router not link-local",
    "uplink_router: fe80::ff:fe00:1",
    "uplink_router: 2001:db8:0:8964::1",
    /site.uplink_router: "2001:db8:0:8964::1" is not a link-local IPv6 address/,
  ),
  site(
    "uplink address not an address",
    "uplink_address: 2001:db8:0:8964::2",
    "uplink_address: vps.example",
    /not an IPv6 address/,
  ),
  site(
    "uplink interface name too long",
    "uplink_interface: enp1s0",
    "uplink_interface: enp1s0-is-far-too-long",
    /15 characters/,
  ),
  site("hub name too long for the tap", "hub: VPN", "hub: HOMECLOUD-VPN", /hub name "HOMECLOUD-VPN" must be 1 to 11/),
  site("hub name with a space", "hub: VPN", "hub: 'V PN'", /hub name/),
  site("tap on the subnet-router anycast address", "tap_host_index: 1", "tap_host_index: 0", /anycast/),
  site("tap host index negative", "tap_host_index: 1", "tap_host_index: -3", /host index must be a whole number >= 0/),
  site("tap IPv4 public", "tap_ipv4: 10.89.64.1/24", "tap_ipv4: 192.0.2.1/24", /not a private IPv4/),
  site("tap IPv4 is the network address", "tap_ipv4: 10.89.64.1/24", "tap_ipv4: 10.89.64.0/24", /network or broadcast/),
  site("tap IPv4 without a length", "tap_ipv4: 10.89.64.1/24", "tap_ipv4: 10.89.64.1", /not an IPv4 address\/length/),
  site("tap IPv4 length unusable", "tap_ipv4: 10.89.64.1/24", "tap_ipv4: 10.89.64.1/31", /not usable/),
  site(
    "VM outside the home prefix",
    "home_host_index: 16",
    "home_address: 2001:db8:0:8964::16",
    /lies outside the home prefix/,
  ),
  site("two VMs on one address", "home_host_index: 17", "home_host_index: 16", /already used by vm1/),
  site("VM on the tap's address", "home_host_index: 16", "home_host_index: 1", /already used by tap_host_index/),
  site("VM host index beyond the prefix", "home_host_index: 16", "home_host_index: 99999999999999999", /does not fit/),
  site(
    "VM address not an address",
    "home_host_index: 16",
    "home_address: not-an-address",
    /"not-an-address" is not an IPv6 address/,
  ),
  site(
    "VM IPv4 outside the tap's subnet",
    "home_ipv4: 10.89.64.10",
    "home_ipv4: 10.89.65.10",
    /outside the tap's subnet/,
  ),
  site("two VMs on one IPv4", "home_ipv4: 10.89.64.11", "home_ipv4: 10.89.64.10", /already used by vm1.home_ipv4/),
  site("VM IPv4 is the broadcast address", "home_ipv4: 10.89.64.10", "home_ipv4: 10.89.64.255", /network or broadcast/),
  site("VM IPv4 on the tap", "home_ipv4: 10.89.64.10", "home_ipv4: 10.89.64.1", /already used by tap_ipv4/),
  site(
    "opening without a protocol",
    "firewall_open: [tcp/22, tcp/8080]",
    "firewall_open: ['22']",
    /"22" is not proto\/port/,
  ),
  site(
    "opening as a bare number",
    "firewall_open: [tcp/22, tcp/8080]",
    "firewall_open: [22]",
    /vm\d.firewall_open\[0\]: must be a text, not 22/,
  ),
  site("opening on port 0", "firewall_open: [tcp/22, tcp/8080]", "firewall_open: [tcp/0]", /not proto\/port/),
  site("opening with an unknown protocol", "firewall_open: [tcp/22]", "firewall_open: [sctp/22]", /not proto\/port/),
  site(
    "RDNSS not an address",
    "dns: [2001:db8:ffff::53]",
    "dns: [dns.example]",
    /"dns.example" is not an IPv6 address/,
  ),
  site("unknown key in the site", "hub: VPN", "hub: VPN\n      hubb: VPN2", /site.hubb: unknown key/),
  site("site missing", / {4}site:\n( {6}.*\n)+/, "", /the site's address plan is missing/),
  // issue 11: selections that would run on fewer (or more) hosts than meant, values of the wrong type
  {
    name: "limit intersecting an empty group",
    inventory: `${GOOD_INVENTORY}  children:\n    spare:\n`,
    args: ["PLAYBOOK", "-i", "INVENTORY", "--limit", "all:&spare"],
    expect: /--limit: "all:&spare" selects no host/,
  },
  {
    name: "limit excluding every host",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--limit", "!h1:!h2"],
    expect: /--limit: "!h1:!h2" selects no host/,
  },
  {
    name: "limit glob matching nothing",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--limit", "web*"],
    expect: /--limit: no host or group matches "web\*"/,
  },
  {
    name: "limit regex matching nothing",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--limit", "~^db"],
    expect: /--limit: no host or group matches "~\^db"/,
  },
  {
    name: "limit subscript beyond the group",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--limit", "all[5]"],
    expect: /--limit: "all\[5\]" selects no host/,
  },
  {
    name: "limit with check mode selecting nothing",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--check", "--limit", "&nosuch"],
    expect: /--limit: no host or group named "nosuch"/,
  },
  {
    name: "tag no task has",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--tags", "radvdd"],
    expect: /--tags: no task of .* has the tag "radvdd"/,
  },
  {
    name: "skip-tag no task has",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--skip-tags", "nosuch"],
    expect: /--skip-tags: no task of .* has the tag "nosuch"/,
  },
  {
    name: "plan with a limit",
    args: ["plan", "PLAYBOOK", "-i", "INVENTORY", "--limit", "vps"],
    expect: /command line: Unknown option '--limit'/,
  },
  {
    name: "inventory command without a mode",
    args: ["inventory", "-i", "INVENTORY"],
    expect: /command line: give exactly one of --list/,
  },
  {
    name: "inventory command with two modes",
    args: ["inventory", "-i", "INVENTORY", "--list", "--graph"],
    expect: /command line: give exactly one of --list/,
  },
  {
    name: "inventory --host of no host",
    args: ["inventory", "-i", "INVENTORY", "--host", "nosuch"],
    expect: /--host: no host named "nosuch"/,
  },
  {
    name: "inventory --graph of no group",
    args: ["inventory", "-i", "INVENTORY", "--graph", "nosuch"],
    expect: /--graph: no group named "nosuch"/,
  },
  {
    name: "inventory --limit selecting nothing",
    args: ["inventory", "-i", "INVENTORY", "--list-hosts", "--limit", "h*:&nosuch"],
    expect: /--limit: no host or group named "nosuch"/,
  },
  {
    name: "inventory unknown option",
    args: ["inventory", "-i", "INVENTORY", "--lst"],
    expect: /command line: Unknown option '--lst'/,
  },
  {
    name: "list-hosts with a bad limit",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--list-hosts", "--limit", "nosuch"],
    expect: /--limit: no host or group named "nosuch"/,
  },
  {
    name: "host range with a letter and a digit",
    inventory: "all:\n  hosts:\n    vm[1:x]:\n",
    expect: /inventory.yaml:3 .*neither a numeric nor an alphabetic range/,
  },
  { name: "host range with step 0", inventory: "all:\n  hosts:\n    vm[1:3:0]:\n", expect: /step of a host range/ },
  { name: "host range with unequal padding", inventory: "all:\n  hosts:\n    node[01:100]:\n", expect: /same length/ },
  { name: "host range without an end", inventory: "all:\n  hosts:\n    vm[1:]:\n", expect: /host range needs an end/ },
  { name: "host range begin after end", inventory: "all:\n  hosts:\n    db[c:a]:\n", expect: /begin <= end/ },
  { name: "host:port with port 0", inventory: "all:\n  hosts:\n    web:0:\n", expect: /port 0 of "web:0"/ },
  {
    name: "host:port beyond 65535",
    inventory: "all:\n  hosts:\n    'web:70000':\n",
    expect: /port 70000 of "web:70000"/,
  },
  {
    name: "host name with a space",
    inventory: "all:\n  hosts:\n    'bad name':\n",
    expect: /"bad name" is not a valid host name/,
  },
  {
    name: "host name with a glob",
    inventory: "all:\n  hosts:\n    'web*':\n",
    expect: /"web\*" is not a valid host name/,
  },
  {
    name: "merge key of a scalar",
    inventory: "all:\n  vars:\n    x:\n      <<: 5\n  hosts:\n    h1:\n",
    expect: /merge|YAML/,
  },
  {
    name: "merge key of a scalar in group vars",
    inventory: "all:\n  vars:\n    <<: 5\n  hosts:\n    h1:\n",
    expect: /Merge sources must be maps|merge key \(<<\) takes a mapping/,
  },
  site(
    "RDNSS as one address where a list is wanted",
    "dns: [2001:db8:ffff::53]",
    "dns: 2001:db8:ffff::53",
    /site.dns: must be a list of texts, not "2001:db8:ffff::53"/,
  ),
  site(
    "openings as one text where a list is wanted",
    "firewall_open: [tcp/22, tcp/8080]",
    "firewall_open: tcp/22",
    /vm\d.firewall_open: must be a list of texts, not "tcp\/22"/,
  ),
  site("hub as a number", "hub: VPN", "hub: 7", /site.hub: must be a text, not 7/),
  site(
    "tap host index as text",
    "tap_host_index: 1",
    "tap_host_index: one",
    /site.tap_host_index: must be a whole number, not "one"/,
  ),
  site(
    "tap host index as a fraction",
    "tap_host_index: 1",
    "tap_host_index: 1.5",
    /site.tap_host_index: must be a whole number, not 1.5/,
  ),
  site(
    "VPS prefix as a list",
    "vps_prefix: 2001:db8:0:8964::/64",
    "vps_prefix: [2001:db8:0:8964::/64]",
    /site.vps_prefix: must be a text/,
  ),
  site(
    "uplink address as a number",
    "uplink_address: 2001:db8:0:8964::2",
    "uplink_address: 2",
    /site.uplink_address: must be a text, not 2/,
  ),
  site(
    "VM host index as text",
    "home_host_index: 16",
    "home_host_index: sixteen",
    /vm1.home_host_index: must be a whole number, not "sixteen"/,
  ),
  site("VM IPv4 as a list", "home_ipv4: 10.89.64.10", "home_ipv4: [10.89.64.10]", /vm1.home_ipv4: must be a text/),
  site(
    "a problem under site: points at its key's own line",
    "hub: VPN",
    "hub: HOMECLOUD-VPN-TOO-LONG",
    /inventory.yaml:18 site.hub: hub name/,
  ),
  site(
    "a wrong RDNSS points at its own line",
    "dns: [2001:db8:ffff::53]",
    "dns:\n        - 2001:db8:ffff::53\n        - nope",
    /inventory.yaml:23 site.dns\[1\]: "nope" is not an IPv6 address/,
  ),
  site(
    "uplink interface as a list",
    "uplink_interface: enp1s0",
    "uplink_interface: [enp1s0]",
    /site.uplink_interface: must be a text/,
  ),
  site(
    "home prefix as a number",
    "home_prefix: 2001:db8:0:8964:8964::/78",
    "home_prefix: 78",
    /site.home_prefix: must be a text, not 78/,
  ),
  site(
    "tap IPv4 as a mapping",
    "tap_ipv4: 10.89.64.1/24",
    "tap_ipv4: {address: 10.89.64.1}",
    /site.tap_ipv4: must be a text/,
  ),
  site("VM address as a number", "home_host_index: 16", "home_address: 16", /vm1.home_address: must be a text, not 16/),
  site(
    "admin password as a number",
    / {4}vpn_admin_password: .*/,
    "    vpn_admin_password: 12345",
    /vps.vpn_admin_password: expected a secret/,
  ),
  site(
    "home password as a list",
    / {4}vpn_home_password: .*/,
    "    vpn_home_password: [a, b]",
    /(vps|homegw).vpn_home_password: expected a secret/,
  ),
  site(
    "home gateway password as a mapping",
    / {4}homegw_admin_password: .*/,
    "    homegw_admin_password: {a: b}",
    /homegw.homegw_admin_password: expected a secret/,
  ),
  site("VPN server as a number", /vpn_server: .*/, "vpn_server: 7", /homegw.vpn_server: .*expected string/),
  site(
    "home LAN interface as a list",
    "home_lan_interface: eth1",
    "home_lan_interface: [eth1]",
    /homegw.home_lan_interface: .*expected string/,
  ),
  site(
    "rtx variant without the router's address",
    "      hub: VPN\n",
    "      hub: VPN\n      variant: rtx\n",
    /:\d+ site.router_address: is required by the rtx variant/,
  ),
  site(
    "a router address in the softether variant",
    "      hub: VPN\n",
    "      hub: VPN\n      router_address: 2001:db8:1::2\n",
    /:\d+ site.router_address: is only used by the rtx variant/,
  ),
  site(
    "rtx variant: an L2TPv3 cookie that is not 4 or 8 bytes of hex",
    "      dns: [2001:db8:ffff::53]\n",
    "      dns: [2001:db8:ffff::53]\n      variant: rtx\n      router_address: 2001:db8:1::2\n    l2tpv3_link: {psk: !secret corpus-psk, cookie: xyz}\n",
    /vps.l2tpv3_link.cookie: 8 or 16 hex digits/,
  ),
  site(
    "an unknown variant",
    "      hub: VPN\n",
    "      hub: VPN\n      variant: [rtx]\n",
    /site.variant: must be a text/,
  ),
  site(
    "router parameters of the wrong type",
    / {4}router:\n( {6}#.*\n)*/,
    "    router:\n      hosts:\n        rtx1:\n          ansible_connection: rtx\n          ansible_password: !secret corpus-rtx\n          ansible_become_password: !secret corpus-rtx2\n          rtx_l2tpv3: yes\n",
    /rtx1.rtx_l2tpv3: /,
  ),
  {
    name: "vault value without a password",
    inventory: allVar(`pw: !vault |\n      ${SAMPLE_VAULT.replace(/\n/g, "\n      ")}`),
    expect: /inventory.yaml:\d+ all.vars.pw: an Ansible Vault value and no vault password to open it/,
  },
  {
    name: "vault value with a wrong password",
    inventory: allVar(`pw: !vault |\n      ${SAMPLE_VAULT.replace(/\n/g, "\n      ")}`),
    args: ["PLAYBOOK", "-i", "INVENTORY", "--vault-password-file", "WRONG_PASSWORD_FILE"],
    expect: /inventory.yaml:\d+ all.vars.pw: no vault password given opens this value/,
  },
  {
    name: "vault password file missing",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--vault-password-file", "/nonexistent/pass"],
    expect: /--vault-password-file: cannot read the vault password from \/nonexistent\/pass: ENOENT/,
  },
  {
    name: "vault id of a missing file",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--vault-id", "lab@/nonexistent/pass"],
    expect: /--vault-id: cannot read the vault password/,
  },
  {
    name: "asking the vault password with no terminal",
    args: ["PLAYBOOK", "-i", "INVENTORY", "--ask-vault-pass"],
    expect: /--ask-vault-pass: no terminal to ask the vault password on/,
  },
  {
    name: "a broken vault value",
    inventory: allVar("pw: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      3a3b"),
    expect: /all.vars.pw: not a vault value this tool can open/,
  },
  {
    name: "a templated value",
    inventory: allVar('url: "https://{{ inventory_hostname }}/"'),
    expect: /inventory.yaml:\d+ all.vars.url: templated inventory values are not supported/,
  },
  {
    name: "a templated value in a list",
    inventory: allVar('urls: ["{% if x %}a{% endif %}"]'),
    expect: /all.vars.urls\[0\]: templated inventory values are not supported/,
  },
  site(
    "admin password missing",
    / {4}vpn_admin_password: .*\n/,
    "",
    /vps.vpn_admin_password: missing: play "vps" reads this inventory variable/,
  ),
  site(
    "VPN server of the home gateway missing",
    /vpn_server: .*/,
    "vpn_note: none",
    /homegw.vpn_server: missing: play "home gateway" reads this inventory variable/,
  ),
  site(
    "trusted interfaces as one text",
    "firewall_trusted_interfaces: [mgmt0]",
    "firewall_trusted_interfaces: mgmt0",
    /inventory.yaml:\d+ vps.firewall_trusted_interfaces: .*expected array/,
  ),
  site(
    "VM interface as a number",
    "home_ipv4: 10.89.64.10",
    "home_ipv4: 10.89.64.10\n          home_interface: 7",
    /inventory.yaml:\d+ vm1.home_interface: .*expected string/,
  ),
  site("RDNSS list holding a number", "dns: [2001:db8:ffff::53]", "dns: [53]", /site.dns\[0\]: must be a text, not 53/),
];
