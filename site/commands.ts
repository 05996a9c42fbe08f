// The site's commands, added to the library's table: `deploy init` (a project of the user's own)
// and the lab with the site's topology and `lab verify`.
import { type CommandSpec, LIBRARY_COMMANDS, withCommands } from "../src/cli/commands.js";
import { INIT_OPTIONS } from "./init-options.js";

const lab = LIBRARY_COMMANDS.find((c) => c.name === "lab")!;

export const SITE_COMMANDS: CommandSpec[] = withCommands(LIBRARY_COMMANDS, [
  {
    ...lab,
    usage: [
      "lab up [--topology site|field|plain] [--hosts N]",
      "lab hosts | lab down | lab verify [--json] [-v] [--reboots]",
      "lab exec HOST -- COMMAND...",
    ],
    about:
      "Lab hosts: real systemd in network namespaces on this machine (root). The site topology is the\nwhole site (inet, upstream, vps, homegw, vm1-vm4); field is the site as a user meets it (a laptop\nat home behind IPv4 NAT, fresh images, ufw, a mirror: scripts/rehearse.sh). lab verify is deploy\nverify plus a timed restart of vpnserver on the VPS (--reboots: and a timed reboot of each host).",
    run: async (argv) => {
      const [{ labCommand }, { siteTopology }, { fieldTopology }, { labVerify }] = await Promise.all([
        import("../src/cli/lab.js"),
        import("./lab-topology.js"),
        import("./field-topology.js"),
        import("./lab-verify.js"),
      ]);
      return labCommand(argv, { topologies: { site: siteTopology, field: fieldTopology }, verify: labVerify });
    },
  },
  {
    name: "init",
    usage: [
      "init [DIR] [--vps-prefix P ...]",
      "init DIR --vps-prefix P --uplink-address A --home-prefix P --vps-host H --homegw-host H [--vm NAME:INDEX]...",
    ],
    summary: "write a project of your own (inventory, playbook), asked on a terminal",
    about:
      "A project of your own: inventory/hosts.yaml, playbooks/site.ts (the site from this package),\n.gitignore and tsconfig.json, validated by the address plan before anything is written; never\noverwrites a file. What is not given as an option is asked on a terminal.",
    options: INIT_OPTIONS,
    run: async (argv) => (await import("./init.js")).initCommand(argv),
  },
]);
