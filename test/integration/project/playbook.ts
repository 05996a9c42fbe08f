// A playbook of an Ansible-style project (see ansible-project.test.ts): it reads variables that
// come from group_vars/, host_vars/ and a vault, typed by its play's vars schema.
import { definePlay, definePlaybook, file, z, zSecret } from "../../../src/index.js";

export default definePlaybook({
  name: "project",
  plays: [
    definePlay({
      name: "web",
      hosts: "web",
      vars: z.object({ motd: z.string(), web_port: z.number().int(), db_password: zSecret }),
      tasks: (host, _p: undefined, v) => [
        file({ path: "/srv/project/motd", content: `${v.motd} on ${host.name}:${v.web_port}\n` }),
        file({ path: "/srv/project/db-password", content: v.db_password, mode: "0600" }),
      ],
    }),
  ],
});
