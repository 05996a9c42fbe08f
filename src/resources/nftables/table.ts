import { createHash } from "node:crypto";
import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { quote } from "../../transport/quote.js";
import { makeTemp, tempTrap } from "../../transport/remote-temp.js";
import { atomicWrite } from "../files/write.js";

export interface NftTableOptions extends TaskOptions {
  family: "inet" | "ip" | "ip6";
  name: string;
  /** The table's body: everything between `table FAMILY NAME {` and `}`. */
  body: string;
  /** Where the table is kept for boot (loaded by the role's unit). */
  persistPath?: string;
  /**
   * Seconds after which the host restores the previous table unless the engine confirmed the
   * change over a new connection (0: no safety net).
   */
  revertAfterSeconds?: number;
}

interface NftState {
  exists: boolean;
  listingSha?: string;
  recorded?: { source: string; listing: string };
  persisted?: string;
}

const STATE_DIR = "/var/lib/homecloud-deploy/nft";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** The whole file loaded by `nft -f`: one transaction that replaces our table, and only it. */
export function tableFile(o: NftTableOptions): string {
  const id = `${o.family} ${o.name}`;
  return `# Managed by homecloud-deploy: replaces table ${id} atomically (other tables are untouched)\ntable ${id}\ndelete table ${id}\ntable ${id} {\n${o.body.trimEnd()}\n}\n`;
}

/**
 * One nftables table owned by us, replaced atomically (never `flush ruleset`), checked with
 * `nft -c` first, armed with a timed automatic revert that the engine cancels only after it
 * logged in again over a new connection. Drift is seen by hashing `nft list table`.
 */
export function nftTable(o: NftTableOptions): Task {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(o.name)) throw new Error(`nft table name "${o.name}" is not valid`);
  const id = `${o.family} ${o.name}`;
  const text = tableFile(o);
  const source = sha(text);
  const stateFile = `${STATE_DIR}/${o.family}-${o.name}.state`;
  const persist = o.persistPath ?? `/etc/nftables.d/${o.name}.nft`;
  const revert = o.revertAfterSeconds ?? 60;
  const unit = `homecloud-nft-revert-${o.name}`;
  const resource: Resource<NftState> = {
    kind: "nftables",
    name: `nftables table ${id}`,
    reads: [keys.state("nftables", id), keys.tree(persist)],
    writes: [keys.state("nftables", id), keys.tree(persist)],
    probe: () =>
      [
        `if out=$(nft list table ${id} 2>/dev/null); then echo "exists"; printf '%s\\n' "$out" | sha256sum | cut -d' ' -f1; else echo "absent"; echo; fi`,
        `if [ -f ${quote(stateFile)} ]; then echo "recorded $(tr '\\n' ' ' < ${quote(stateFile)})"; else echo "recorded"; fi`,
        `if [ -f ${quote(persist)} ]; then echo persisted; base64 < ${quote(persist)}; fi`,
      ].join("\n"),
    parse: (out) => {
      const l = out.split("\n");
      const rec = (l[2] ?? "")
        .replace(/^recorded ?/, "")
        .trim()
        .split(/\s+/);
      const at = l.indexOf("persisted");
      return {
        exists: l[0] === "exists",
        listingSha: l[1]?.trim() || undefined,
        recorded: rec.length === 2 ? { source: rec[0]!, listing: rec[1]! } : undefined,
        persisted: at >= 0 ? Buffer.from(l.slice(at + 1).join(""), "base64").toString("utf8") : undefined,
      };
    },
    steps: (cur): Step[] => {
      const live = cur.exists && cur.recorded?.source === source && cur.recorded.listing === cur.listingSha;
      const steps: Step[] = [];
      const armed = `${STATE_DIR}/${o.name}.armed`;
      // Only a confirmed ruleset is recorded and kept for boot: a lockout must not survive a reboot.
      const keep = [
        `printf '%s %s\\n' ${source} "$(nft list table ${id} | sha256sum | cut -d' ' -f1)" > ${quote(stateFile)}`,
        `mkdir -p ${quote(persist.replace(/\/[^/]+$/, ""))} || exit 1`,
        tempTrap(["keep"]),
        makeTemp("keep", { dir: `${quote(persist.replace(/\/[^/]+$/, "") + "/.hcd-")}XXXXXX` }),
        `cp ${STATE_DIR}/${o.family}-${o.name}.new "$keep" &&`,
        `  chmod 600 "$keep" &&`,
        `  mv -f "$keep" ${quote(persist)} || exit 1`,
      ].join("\n");
      if (!live) {
        const why = !cur.exists
          ? `load table ${id}`
          : cur.recorded?.source !== source
            ? `replace table ${id} (rules changed)`
            : `replace table ${id} (changed on the host since we loaded it)`;
        const b64 = Buffer.from(text).toString("base64").replace(/.{76}/g, "$&\n");
        const script = [
          `mkdir -p ${STATE_DIR} && chmod 700 ${STATE_DIR}`,
          `new=${STATE_DIR}/${o.family}-${o.name}.new; backup=${STATE_DIR}/${o.family}-${o.name}.backup`,
          `base64 -d > "$new" <<'HCD_EOF'`,
          b64,
          `HCD_EOF`,
          `if ! out=$(nft -c -f "$new" 2>&1); then`,
          `  printf 'nft -c rejected the ruleset:\\n%s\\n' "$out"`,
          "  exit 1",
          "fi",
          // what to go back to: our table as it is now, or no table at all
          `if now=$(nft list table ${id} 2>/dev/null); then`,
          `  printf 'table ${id}\\ndelete table ${id}\\n%s\\n' "$now" > "$backup"`,
          "else",
          `  printf 'table ${id}\\ndelete table ${id}\\n' > "$backup"`,
          "fi",
          ...(revert > 0
            ? [
                `systemctl stop ${unit}.timer ${unit}.service >/dev/null 2>&1`,
                `systemctl reset-failed ${unit}.timer ${unit}.service >/dev/null 2>&1`,
                // the revert: a systemd timer, or (no systemd) a detached sleep that a confirm disarms
                "if [ -d /run/systemd/system ]; then",
                `  systemd-run --quiet --unit=${unit} --on-active=${revert} --timer-property=AccuracySec=1s \\`,
                `    nft -f "$backup" || exit 1`,
                "else",
                `  (setsid sh -c 'sleep ${revert}; [ -e ${armed} ] && nft -f "$1" && rm -f ${armed}' _ "$backup" >/dev/null 2>&1 &)`,
                `  : > ${armed}`,
                "fi",
              ]
            : []),
          `nft -f "$new" || exit 1`,
          ...(revert > 0 ? [] : [keep]),
        ].join("\n");
        const confirm = [`systemctl stop ${unit}.timer >/dev/null 2>&1`, `rm -f ${armed}`, keep].join("\n");
        steps.push({
          why,
          script,
          diff: { path: persist, before: cur.persisted ?? null, after: text },
          ...(revert > 0 ? { confirm: { script: confirm, revertAfterSeconds: revert } } : {}),
        });
      }
      if (live && cur.persisted !== text) {
        steps.push({
          why: `keep table ${id} for boot in ${persist}`,
          script: `mkdir -p ${quote(persist.replace(/\/[^/]+$/, ""))}\n${atomicWrite(persist, text, { mode: "0600" })}`,
          diff: { path: persist, before: cur.persisted ?? null, after: text },
        });
      }
      return steps;
    },
  };
  return task(resource, o);
}
