// A host that talks back: its files, command output and error text carry terminal control
// sequences and echo a secret (see hostile.test.ts).
import { command, definePlaybook, directory, file, isSecret } from "../../../src/index.js";

export default definePlaybook({
  name: "hostile",
  plays: [
    {
      name: "hostile",
      hosts: "hostile",
      tasks: (host) => {
        const secret = host.vars.hostile_secret;
        if (!isSecret(secret)) throw new Error("hostile_secret must be a secret");
        return [
          directory({ path: "/srv/hostile", mode: "0700" }),
          file({ path: "/srv/hostile/secret", content: secret, mode: "0600" }),
          // the host's current text (seeded by the test) is hostile: --diff shows it
          file({ path: "/srv/hostile/motd", content: "a clean motd\n" }),
          command({
            run: `cat /srv/hostile/secret; printf 'boom \\033[2J \\033]52;c;cm0gLXJmIH4=\\007 \\033]0;owned\\007 over\\rwrite\\n'; exit 3`,
          }),
        ];
      },
    },
  ],
});
