// The playbook the chaos suite runs: one task or handler in each phase of a run calls the
// host's fault hook (see fixture.ts), which fires the one fault armed for that phase.
import {
  keys,
  command,
  definePlaybook,
  directory,
  file,
  handler,
  isSecret,
  nftTable,
  task,
  type Resource,
} from "../../../src/index.js";

const RUN = process.env.HCD_CHAOS_RUN ?? "0";
const HOOK = "/usr/local/sbin/hcd-chaos-hook";

/** A slow probe (it runs in the background, its output kept in a temp file) that reads the secret. */
const slowSecretRead: Resource<string> = {
  kind: "chaos-read",
  name: "slow read of /etc/hcd-chaos/secret",
  reads: [keys.state("chaos", "secret")],
  writes: [],
  speed: { slow: true },
  secretProbe: true,
  probe: () => `${HOOK} probe; cat /etc/hcd-chaos/secret 2>/dev/null; true`,
  parse: (out) => out,
  steps: () => [],
};

export default definePlaybook({
  name: "chaos",
  plays: [
    {
      name: "chaos",
      hosts: "chaos",
      tasks: (host) => {
        const secret = host.vars.chaos_secret;
        if (!isSecret(secret)) throw new Error("chaos_secret must be a secret (!file)");
        const handled = handler("chaos handler", `${HOOK} handler; echo ${RUN} > /etc/hcd-chaos/handled`);
        return [
          directory({ path: "/etc/hcd-chaos", mode: "0700" }),
          file({ path: "/etc/hcd-chaos/secret", content: secret, mode: "0600" }),
          file({ path: "/etc/hcd-chaos/state", content: `run ${RUN}\n`, notify: handled }),
          task(slowSecretRead),
          command({
            run: `${HOOK} apply; echo ${RUN} > /etc/hcd-chaos/applied`,
            unless: `grep -qx ${RUN} /etc/hcd-chaos/applied`,
          }),
          nftTable({
            family: "inet",
            name: "hcdchaos",
            body: `    chain input {\n        type filter hook input priority 10; policy accept;\n        tcp dport ${10000 + Number(RUN)} accept\n    }\n`,
            persistPath: "/etc/hcd-chaos/hcdchaos.nft",
            revertAfterSeconds: 20,
          }),
        ];
      },
    },
  ],
});
