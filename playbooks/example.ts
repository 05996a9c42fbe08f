// An example playbook for plain lab hosts: `npx deploy lab up --topology plain --hosts 3`,
// then `npx deploy playbooks/example.ts -i /var/lib/homecloud-lab/inventory.yaml`.
import {
  keys,
  definePlaybook,
  defineRole,
  directory,
  file,
  line,
  service,
  sysctl,
  command,
  restartService,
  template,
  z,
} from "../src/index.js";

const motd = defineRole({
  name: "motd",
  params: z.object({ owner: z.string().min(1), site: z.string().default("lab") }),
  tasks: (p, host) => [
    directory({ path: "/etc/homecloud", mode: "0755" }),
    file({ path: "/etc/homecloud/owner", content: `${p.owner}\n`, mode: "0640" }),
    file({
      path: "/etc/motd",
      content: template("templates/motd.hbs", {
        host: host.name,
        site: p.site,
        owner: p.owner,
      }),
    }),
    line({ path: "/etc/environment", regexp: "^HOMECLOUD_SITE=", line: `HOMECLOUD_SITE=${p.site}` }),
  ],
});

const forwarding = defineRole({
  name: "forwarding",
  params: z.object({ enabled: z.boolean() }),
  tasks: (p) => [sysctl({ key: "net.ipv4.ip_forward", value: p.enabled ? 1 : 0 })],
});

const sshBanner = restartService("ssh");

export default definePlaybook({
  name: "example",
  plays: [
    {
      name: "lab hosts",
      hosts: "all",
      roles: (host) => [
        motd({ owner: "homecloud", site: String(host.vars.site ?? "lab") }),
        forwarding({ enabled: true }),
      ],
      tasks: () => [
        file({
          path: "/etc/ssh/sshd_config.d/50-homecloud-banner.conf",
          content: "Banner /etc/motd\n",
          validate: "grep -q ^Banner %s",
          notify: sshBanner,
        }),
        service({ name: "ssh", state: "running", enabled: true }),
        command({
          run: "date -u > /var/lib/homecloud-first-run",
          creates: "/var/lib/homecloud-first-run",
          affects: [keys.tree("/var/lib/homecloud-first-run")],
        }),
      ],
    },
  ],
});
