// The benchmark's workload as our playbook: 20 tasks per host (2 templates, 5 copies, 5 lines,
// 3 directories, modes, 2 guarded commands, 1 handler). bench/ansible/workload.yml is the same.
import { command, definePlaybook, directory, file, handler, keys, line, permissions, template } from "../src/index.js";

const reload = handler("reload app", "date +%s > /srv/bench/reloaded");
const t = (n: number) => new URL(`./templates/app${n}.conf.hbs`, import.meta.url);

export default definePlaybook({
  name: "bench",
  plays: [
    {
      name: "workload",
      hosts: "all",
      tasks: (host) => [
        directory({ path: "/srv/bench", mode: "0755" }),
        directory({ path: "/srv/bench/conf", mode: "0750" }),
        directory({ path: "/srv/bench/data", mode: "0700" }),
        file({
          path: "/srv/bench/conf/app1.conf",
          content: template(t(1), { host: host.name, port: 8001, workers: 4 }),
          mode: "0640",
          notify: reload,
        }),
        file({
          path: "/srv/bench/conf/app2.conf",
          content: template(t(2), { host: host.name, port: 8002, workers: 2 }),
          mode: "0640",
          notify: reload,
        }),
        ...[1, 2, 3, 4, 5].map((i) =>
          file({
            path: `/srv/bench/data/file${i}.txt`,
            content: `static file ${i}\n`.repeat(20),
            mode: i === 1 ? "0600" : "0644",
          }),
        ),
        ...[1, 2, 3, 4, 5].map((i) =>
          line({ path: "/srv/bench/settings.ini", regexp: `^key${i}=`, line: `key${i}=value${i}` }),
        ),
        permissions({ path: "/srv/bench/settings.ini", mode: "0600" }),
        permissions({ path: "/srv/bench/data/file1.txt", mode: "0600" }),
        command({
          run: "touch /srv/bench/initialised",
          creates: "/srv/bench/initialised",
          affects: [keys.tree("/srv/bench/initialised")],
        }),
        command({
          run: "echo marker >> /srv/bench/markers",
          unless: "grep -q marker /srv/bench/markers",
          affects: [keys.tree("/srv/bench/markers")],
        }),
      ],
    },
  ],
});
