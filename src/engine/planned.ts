import type { TargetOptions } from "../inventory/connection.js";
import type { Inventory } from "../inventory/types.js";
import { addr6, inPrefix6, parsePrefix6 } from "../net/prefix.js";
import type { Playbook } from "../playbook/define.js";

/**
 * The addresses the playbook's plan gives its hosts (Playbook.hostAddress), for the connection
 * targets: a host without ansible_host is reached at its planned address; an ansible_host inside
 * the planned prefix that is another address contradicts the plan. Undefined: no such plan.
 */
export function plannedAddresses<P>(playbook: Playbook<P>, inv: Inventory): TargetOptions["planned"] {
  const hostAddress = playbook.hostAddress;
  if (!hostAddress || !playbook.plan) return undefined;
  const plan = playbook.plan(inv);
  return (host) => {
    const p = hostAddress(plan, host);
    if (!p) return undefined;
    const prefix = parsePrefix6(p.prefix);
    const want = addr6(p.address);
    return {
      address: p.address,
      ...(p.bootstrap ? { bootstrap: p.bootstrap } : {}),
      clash: (given) => {
        const a = addr6(given);
        if (a === undefined || typeof prefix === "string" || !inPrefix6(a, prefix) || a === want) return undefined;
        return `${given} lies in ${p.prefix}, where the plan gives ${host} ${p.address}${p.from ? ` (from ${p.from})` : ""}: the two disagree`;
      },
    };
  };
}
