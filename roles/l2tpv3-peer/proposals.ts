import { z } from "../../src/index.js";

/**
 * The IPsec proposals of the link in the RTX's own words (the values its `ipsec sa policy` and
 * `ipsec ike encryption|hash|group` commands take). Both ends take this one object: the router
 * as it is, the VPS translated by `strongswanProposals`, so the two cannot disagree.
 */
export const rtxProposals = z
  .object({
    ike: z
      .object({
        encryption: z.enum(["aes-cbc", "aes256-cbc", "3des-cbc"]).default("aes-cbc"),
        hash: z.enum(["sha", "sha256", "md5"]).default("sha"),
        group: z.enum(["modp768", "modp1024", "modp1536", "modp2048"]).default("modp1024"),
      })
      .prefault({}),
    esp: z
      .object({
        encryption: z.enum(["aes-cbc", "aes256-cbc", "3des-cbc"]).default("aes-cbc"),
        hash: z.enum(["sha-hmac", "sha256-hmac", "md5-hmac"]).default("sha-hmac"),
      })
      .prefault({}),
  })
  .prefault({});
export type RtxProposals = z.infer<typeof rtxProposals>;

const CIPHER = { "aes-cbc": "aes128", "aes256-cbc": "aes256", "3des-cbc": "3des" } as const;
const IKE_HASH = { sha: "sha1", sha256: "sha256", md5: "md5" } as const;
const ESP_HASH = { "sha-hmac": "sha1", "sha256-hmac": "sha256", "md5-hmac": "md5" } as const;

/** The same proposals in strongSwan's words: `proposals` (IKE) and `esp_proposals` (no PFS group). */
export function strongswanProposals(p: RtxProposals): { ike: string; esp: string } {
  return {
    ike: `${CIPHER[p.ike.encryption]}-${IKE_HASH[p.ike.hash]}-${p.ike.group}`,
    esp: `${CIPHER[p.esp.encryption]}-${ESP_HASH[p.esp.hash]}`,
  };
}
