import { quote } from "../../transport/quote.js";
import { makeTemp, tempTrap, tempUntrap } from "../../transport/remote-temp.js";
import { normaliseMode, type WantedAttributes } from "./attributes.js";

export interface WriteOptions extends WantedAttributes {
  /** A command run on the new file before it replaces the old; `%s` is the temp file. */
  validate?: string;
}

/**
 * Shell that replaces `path` atomically: the text goes to a temp file in the same
 * directory (so rename is atomic), gets its mode and owner, is validated, then renamed.
 * The text travels base64-encoded inside the script on stdin, never in an argv.
 */
export function atomicWrite(path: string, text: string, opts: WriteOptions): string {
  const p = quote(path);
  const b64 = Buffer.from(text, "utf8").toString("base64").replace(/.{76}/g, "$&\n");
  const mode = normaliseMode(opts.mode);
  const lines = [
    // no temp file is left behind, even when the run is cut off (SIGPIPE, SIGHUP)
    tempTrap(["tmp"]),
    makeTemp("tmp", { dir: `${quote(dirnameOf(path) + "/.hcd-")}XXXXXX` }),
    `base64 -d > "$tmp" <<'HCD_EOF' || exit 1`,
    b64,
    `HCD_EOF`,
    mode ? `chmod ${mode} "$tmp"` : `if [ -e ${p} ]; then chmod --reference=${p} "$tmp"; else chmod 0644 "$tmp"; fi`,
    opts.owner || opts.group
      ? `chown ${quote(`${opts.owner ?? ""}${opts.group ? ":" + opts.group : ""}`)} "$tmp"`
      : `if [ -e ${p} ]; then chown --reference=${p} "$tmp"; fi`,
  ];
  if (opts.validate) {
    const cmd = opts.validate.includes("%s") ? opts.validate.split("%s").join('"$tmp"') : `${opts.validate} "$tmp"`;
    // say the command as it ran: on the new text, in a temp file beside the one it would replace
    const shown = opts.validate.includes("%s")
      ? opts.validate.split("%s").join(`<new ${path}>`)
      : `${opts.validate} <new ${path}>`;
    lines.push(
      `if ! out=$( ${cmd} 2>&1 ); then printf 'validation failed: %s\\n' ${quote(shown)}; printf '%s\\n' "$out"; exit 1; fi`,
    );
  }
  lines.push(`mv -f "$tmp" ${p}`, tempUntrap());
  return lines.join("\n");
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
