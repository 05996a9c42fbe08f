// Inventories that Ansible and we must read alike (test/unit/ansible-differential.test.ts).
// `refused`: we are stricter on purpose; the case asserts our refusal (README lists them).
export interface InventoryCase {
  name: string;
  yaml: string;
  refused?: RegExp;
}

export const INVENTORIES: InventoryCase[] = [
  { name: "one host under all", yaml: "all:\n  hosts:\n    a:\n" },
  {
    name: "ungrouped and grouped hosts",
    yaml: "all:\n  hosts:\n    lone:\n    two:\n  children:\n    g:\n      hosts:\n        x:\n        two:\n",
  },
  {
    name: "vars at every level",
    yaml: "all:\n  vars: {v: all, a: 1}\n  children:\n    p:\n      vars: {v: p, b: 2}\n      children:\n        c:\n          vars: {v: c, c: 3}\n          hosts:\n            h:\n              v: host\n            k:\n",
  },
  { name: "numeric range", yaml: "all:\n  children:\n    vms:\n      hosts:\n        vm[1:3]:\n          role: vm\n" },
  { name: "zero-padded range", yaml: "all:\n  hosts:\n    node[01:03]:\n    node[08:11]:\n" },
  { name: "alphabetic range", yaml: "all:\n  hosts:\n    db-[a:c]:\n    x[Y:Z]:\n" },
  { name: "range with a step", yaml: "all:\n  hosts:\n    s[1:6:2]:\n    t[a:e:2]:\n" },
  { name: "two ranges in one name", yaml: "all:\n  hosts:\n    r[1:2]-[a:b].lab:\n" },
  {
    name: "range with a suffix and vars",
    yaml: "all:\n  children:\n    web:\n      vars: {port: 80}\n      hosts:\n        web[1:2].example.com:\n          tier: front\n",
  },
  {
    name: "depth tie: sibling groups in Python's name order",
    yaml: "all:\n  children:\n    alpha:\n      vars: {v: alpha}\n      hosts: {h: null}\n    Zed:\n      vars: {v: Zed}\n      hosts: {h: null}\n",
  },
  {
    name: "sibling order of -, digits and _",
    yaml: "all:\n  children:\n    web_1:\n      vars: {v: web_1}\n      hosts: {h: null}\n    web1:\n      vars: {v: web1}\n      hosts: {h: null}\n    web-1:\n      vars: {v: web-1}\n      hosts: {h: null}\n",
  },
  {
    name: "deeper group wins over a shallower one",
    yaml: "all:\n  children:\n    a:\n      vars: {v: a}\n      children:\n        b:\n          vars: {v: b}\n          hosts: {h: null}\n    z:\n      vars: {v: z}\n      hosts: {h: null}\n",
  },
  {
    name: "a group reached by two paths takes its longest depth",
    yaml: "all:\n  children:\n    a:\n      children:\n        x:\n          vars: {v: x}\n          hosts: {h: null}\n    c:\n      children:\n        b:\n          children:\n            x:\n    y:\n      children:\n        y2:\n          vars: {v: y2}\n          hosts: {h: null}\n",
  },
  {
    name: "ansible_group_priority breaks a depth tie",
    yaml: "all:\n  children:\n    aa:\n      vars: {v: aa, ansible_group_priority: 10}\n      hosts: {h: null}\n    bb:\n      vars: {v: bb}\n      hosts: {h: null}\n",
  },
  {
    name: "empty groups",
    yaml: "all:\n  hosts: {h: null}\n  children:\n    spare:\n    spare2: {}\n    parent:\n      children:\n        spare3:\n",
  },
  {
    name: "a host in many groups",
    yaml: "all:\n  children:\n    a: {hosts: {h: {x: 1}}, vars: {a: 1}}\n    b: {hosts: {h: {y: 2}}, vars: {b: 2}}\n    c: {hosts: {h: null}, vars: {c: 3}}\n",
  },
  {
    name: "a host declared twice merges its vars",
    yaml: "all:\n  children:\n    a:\n      hosts:\n        h: {x: 1, y: 1}\n    b:\n      hosts:\n        h: {y: 2, z: 2}\n",
  },
  {
    name: "anchors and aliases",
    yaml: "all:\n  vars:\n    base: &base {a: 1, b: [1, 2]}\n    copy: *base\n    name: &n plain\n    again: *n\n  hosts: {h: null}\n",
  },
  {
    name: "merge keys",
    yaml: "all:\n  vars:\n    base: &base {a: 1, b: 2}\n    merged:\n      <<: *base\n      b: 3\n    more:\n      <<: [*base, {c: 4}]\n  hosts: {h: null}\n",
  },
  {
    name: "merge key in host vars",
    yaml: "all:\n  children:\n    g:\n      hosts:\n        h1: &common {role: web, port: 80}\n        h2:\n          <<: *common\n          port: 8080\n",
  },
  {
    name: "YAML 1.1 booleans as PyYAML reads them",
    yaml: "all:\n  vars: {b1: y, b2: Y, b3: n, b4: N, b5: yes, b6: no, b7: on, b8: off, b9: True, b10: FALSE}\n  hosts: {h: null}\n",
  },
  {
    name: "YAML 1.1 numbers as PyYAML reads them",
    yaml: "all:\n  vars: {f1: 1e3, f2: 1.5e3, f3: 1.5e+3, f4: .5, f5: 1_000.5, o1: 0755, o2: 0o755, h1: 0x1F, b1: 0b101, s1: '1:30', s2: 1:30, s3: 190:20:30, i1: 1_000}\n  hosts: {h: null}\n",
  },
  {
    name: "dates, nulls and strings stay as written",
    yaml: "all:\n  vars:\n    d1: 2024-01-01\n    n1: ~\n    n2: null\n    n3:\n    e1: ''\n    t1: 12:30:00\n  hosts: {h: null}\n",
  },
  {
    name: "IPv6 and host:port names",
    yaml: "all:\n  hosts:\n    '2001:db8::1':\n    'web7:2222':\n    '[2001:db8::2]:2200':\n    '192.0.2.7:22':\n",
  },
  {
    name: "host:port keeps an explicit ansible_port",
    yaml: "all:\n  hosts:\n    'web7:2222':\n      ansible_port: 2300\n",
  },
  {
    name: "nested children three deep",
    yaml: "all:\n  children:\n    l1:\n      vars: {v: 1}\n      children:\n        l2:\n          vars: {v: 2}\n          children:\n            l3:\n              vars: {v: 3}\n              hosts: {deep: null}\n          hosts: {mid: null}\n      hosts: {top: null}\n",
  },
  {
    name: "lists and dicts are replaced, not merged",
    yaml: "all:\n  vars: {l: [1, 2], d: {a: 1, b: 1}}\n  children:\n    g:\n      vars: {l: [3], d: {b: 2}}\n      hosts: {h: null}\n",
  },
  {
    name: "group vars only, no host vars",
    yaml: "all:\n  children:\n    g:\n      vars: {only: group}\n      hosts:\n        h1:\n        h2:\n",
  },
  {
    name: "the site's shape",
    yaml: "all:\n  vars:\n    site: {vps_prefix: 2001:db8:0:8964::/64, hub: VPN, dns: [2001:db8:ffff::53]}\n  children:\n    vps:\n      hosts:\n        vps: {ansible_host: 192.0.2.10}\n    homegw:\n      hosts:\n        homegw: {ansible_host: 192.0.2.11}\n    vms:\n      vars: {firewall_open: [tcp/22]}\n      hosts:\n        vm1: {home_host_index: 16}\n        vm2: {home_host_index: 17, firewall_open: [tcp/22, tcp/8080]}\n    router:\n",
  },
  {
    name: "children listed before hosts, groups defined at top level",
    yaml: "web:\n  hosts:\n    w1:\n    w2:\ndb:\n  hosts:\n    d1:\n  vars: {engine: pg}\nall:\n  vars: {site: x}\n",
  },
  {
    name: "a group that is also a child elsewhere",
    yaml: "all:\n  children:\n    a:\n      hosts: {h1: null}\n    b:\n      children:\n        a:\n      hosts: {h2: null}\n",
  },
  { name: "unicode values and names", yaml: "all:\n  vars: {motd: 'héllo — 日本'}\n  hosts:\n    h-ü1:\n" },
  {
    name: "duplicate keys are refused (Ansible warns and keeps the last)",
    yaml: "all:\n  vars:\n    a: 1\n    a: 2\n  hosts: {h: null}\n",
    refused: /Map keys must be unique/,
  },
  {
    name: "a name with a space is refused (Ansible takes it as it is)",
    yaml: "all:\n  hosts:\n    'bad name':\n",
    refused: /not a valid host name/,
  },
];

/** One inventory for the pattern cases: nested groups, an empty group, IPv6 and ranges. */
export const PATTERN_INVENTORY = `all:
  hosts:
    lone:
    '2001:db8::1':
  children:
    vps:
      hosts:
        vps1:
    home:
      children:
        vms:
          hosts:
            vm[1:4]:
        gw:
          hosts:
            homegw:
    spare:
    web:
      hosts:
        web-a:
        web-b:
        vm2:
    db:
      hosts:
        db1.example.com:
        db2.example.com:
`;

export const PATTERNS: string[] = [
  "all",
  "*",
  "vps",
  "vms",
  "home",
  "vms:vps",
  "vps:vms",
  "vps,vms",
  "vms,vps",
  "vms:web",
  "web:vms",
  "all:!vms",
  "all:&vms",
  "vms:&web",
  "web:&vms",
  "home:!gw",
  "!vms",
  "&vms",
  "!vms:!vps",
  "all:&spare",
  "vms:&spare",
  "vms:!spare",
  "vm*",
  "vm?",
  "web-*",
  "*.example.com",
  "db*",
  "vm[!1]*",
  "vm[12]",
  "vm[!12]",
  "~vm[12]",
  "~^web",
  "~(vm1|lone)",
  "~.*example",
  "vms[0]",
  "vms[1]",
  "vms[-1]",
  "vms[1:]",
  "vms[0:1]",
  "vms[1:2]",
  "vms[0:2]:!vm2",
  "web[0]:vms[-1]",
  "2001:db8::1",
  "lone,2001:db8::1",
  "lone:vps1",
  "vps1,vm1,lone",
  "vm1:vm1",
  "ungrouped",
  "all:!ungrouped",
  "home:vps:!vm3",
  "vms:!vm1:!vm2",
  "*:!*.example.com",
  "web,&vms",
  "vm1, vm2",
];
