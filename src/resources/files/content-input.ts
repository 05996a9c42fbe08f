import { isSecret } from "../../secrets.js";
import type { Content, ContentInput } from "../../engine/types.js";

export function toContent(c: ContentInput): Content {
  if (typeof c === "string") return { text: c, sensitive: false };
  if (isSecret(c)) return { text: c.reveal(), sensitive: true };
  return c;
}
