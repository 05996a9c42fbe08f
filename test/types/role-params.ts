// Compile-time checks, run by `npm test` through `tsc --noEmit`: each @ts-expect-error line
// must be an error, or tsc fails ("unused @ts-expect-error").
import { definePlaybook, defineRole, file, z } from "../../src/index.js";

const web = defineRole({
  name: "web",
  params: z.object({ port: z.number().int(), name: z.string(), tls: z.boolean().default(false) }),
  tasks: (p) => [file({ path: "/etc/web.conf", content: `${p.name}:${p.port}:${p.tls}\n` })],
});

export default definePlaybook({
  name: "types",
  plays: [
    { hosts: "all", roles: () => [web({ port: 80, name: "a" })] },
    // @ts-expect-error port must be a number
    { hosts: "all", roles: () => [web({ port: "80", name: "a" })] },
    // @ts-expect-error name is required
    { hosts: "all", roles: () => [web({ port: 80 })] },
    // @ts-expect-error unknown resource option
    { hosts: "all", tasks: () => [file({ path: "/x", contents: "typo" })] },
  ],
});
