import type { Resource, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";

export interface FirewalldRefusedOptions extends TaskOptions {
  /** What the site needs through it, for the message: "tcp/443, forwarding between tap_vpn and enp1s0". */
  needs: string;
}

/**
 * A host where firewalld runs is refused with the reason: its zones drop what they do not
 * allow, whatever our own nftables table accepts, and homecloud-deploy opens the site's traffic
 * through ufw, not (yet) through firewalld. firewalld is never stopped or changed by us.
 */
export function firewalldRefused(o: FirewalldRefusedOptions): Task {
  const resource: Resource<{ running: boolean }> = {
    kind: "firewalld",
    name: "firewalld is not running (its zones would drop the site's traffic)",
    reads: [keys.unit("firewalld.service")],
    writes: [],
    speed: { inShell: true },
    probe: () => "if systemctl is-active -q firewalld 2>/dev/null; then echo running; else echo stopped; fi",
    parse: (out) => ({ running: out.trim() === "running" }),
    steps: (cur) => {
      if (!cur.running) return [];
      throw new Error(
        `firewalld runs on this host and would drop what the site needs (${o.needs}): homecloud-deploy opens it through ufw, not firewalld. Open it in firewalld (firewall-cmd --permanent ..., then --reload) and set firewall_firewalld: opened in the inventory, or use ufw`,
      );
    },
  };
  return task(resource, o);
}
