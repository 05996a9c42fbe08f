// The site schema's issues as problems (through the inventory layer's one mapper), with the hint
// a person needs, placed by `where` (an inventory's file and line, or a command-line option).
import type { z } from "zod";
import type { Problem } from "../../src/errors.js";
import { mapIssues } from "../../src/inventory/var-issues.js";
import { EXAMPLES } from "./site-schema.js";

const HINTS: Record<string, string> = {
  variant: "softether (the tap of a SoftEther hub) or rtx (a YAMAHA RTX over L2TPv3/IPsec)",
  vps_prefix: "a VPS usually owns a /64",
  uplink_router: "the provider's router as the VPS sees it: the via of `ip -6 route show default`",
  router_address: "the RTX's own IPv6 address, its tunnel endpoint",
  hub: "SoftEther names the tap tap_<hub in lowercase>, and Linux allows 15 characters",
};
const BY_TYPE: Record<string, string> = { string: "2001:db8::/64", number: "16", array: "[tcp/22, tcp/443]" };

export function schemaProblems(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  where: (path: string) => Omit<Problem, "message">,
  known: readonly string[] = [],
): Problem[] {
  return mapIssues(issues, where, (issue, key) => {
    if (issue.code === "unrecognized_keys") return known.length ? `known: ${known.join(", ")}` : undefined;
    if (issue.code === "invalid_type") return `e.g. ${key}: ${EXAMPLES[key] ?? BY_TYPE[issue.expected] ?? ""}`;
    return HINTS[key];
  });
}
