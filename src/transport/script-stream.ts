import { randomBytes } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { ChannelFailed, type ExecChannel } from "./process-channel.js";
import { redact, type Secret } from "../secrets.js";
import { quote } from "./quote.js";
import { needsSudo, type RunResult, type SshTarget } from "./target.js";

export const LOCK_FILE = "/run/homecloud-deploy.lock";
export const LOCK_OWNER = "/run/homecloud-deploy.owner";
/** Changes whenever a run takes or gives up the lock: a probe read under another value is stale. */
export const LOCK_GEN = "/run/homecloud-deploy.gen";
/** The PID of the session shell that holds the lock (for this run's own take-over after a lost connection). */
export const LOCK_HOLDER = "/run/homecloud-deploy.holder";
/** Longest command line (with the first script in it) before that script goes on stdin instead. */
const MAX_INLINE = 64 * 1024;
const SUDO_PROMPT = "[homecloud-deploy sudo]";

/**
 * One script framed for the session shell. The subshell keeps `exit` and `cd` from touching
 * the session; fd 9 (the lock) is not inherited, so a daemon a script starts never holds the
 * lock; stdin is /dev/null, so nothing a script runs can eat the scripts that follow. The
 * shell parses the whole frame before running any of it: a connection cut while the frame
 * is being sent runs nothing.
 */
export function frame(mark: string, seq: number, script: string, inSession = false): string {
  return [
    `__hcd_g=; [ -r ${LOCK_GEN} ] && read -r __hcd_g < ${LOCK_GEN}`,
    inSession ? `{` : `( {`,
    script,
    `${inSession ? "}" : "} ) 9>&- </dev/null"}; __hcd_c=$?; printf '\\n%s %s %s\\n' ${mark}:${seq} "$__hcd_c" "$__hcd_g"; printf '\\n%s\\n' ${mark}:${seq} >&2`,
    "",
  ].join("\n");
}

/**
 * Taken in the session shell itself, so it is held until the session ends (a killed run's
 * connection drops, its shell reads EOF and exits, the kernel frees the flock). Prints
 * `locked GEN [stale OWNER]`, `shared GEN` or `busy OWNER`. `takeOverFrom`: the owner line of
 * a holder to end: this run's own (it lost the session that holds the lock), or a run that has
 * ended on this machine. A lost session's shell may live on until the server notices the dead
 * connection, for hours: that shell, the holder, is ended and the lock taken over.
 */
export function lockScript(owner: string, takeOverFrom?: string): string {
  const bump = `cat /proc/sys/kernel/random/uuid > ${LOCK_GEN}`;
  return [
    `__hcd_g=; [ -r ${LOCK_GEN} ] && read -r __hcd_g < ${LOCK_GEN}`,
    // root's alone: flock needs only a descriptor, and a user who could open the file could hold it
    `(umask 077; : >>${LOCK_FILE}) 2>/dev/null; chmod 0600 ${LOCK_FILE} 2>/dev/null`,
    `if ! command exec 9>>${LOCK_FILE}; then echo "error cannot open ${LOCK_FILE}";`,
    `elif flock -n 9; then`,
    `  __hcd_s=; [ -s ${LOCK_OWNER} ] && __hcd_s="$(cat ${LOCK_OWNER})"`,
    `  printf '%s\\n' ${quote(owner)} > ${LOCK_OWNER}; echo $$ > ${LOCK_HOLDER}; ${bump}`,
    `  trap 'rm -f ${LOCK_OWNER}; ${bump}' EXIT`,
    `  printf 'locked %s\\n' "$__hcd_g"; [ -n "$__hcd_s" ] && printf 'stale %s\\n' "$__hcd_s"`,
    ...(takeOverFrom !== undefined
      ? [
          `elif [ "$(cat ${LOCK_OWNER} 2>/dev/null)" = ${quote(takeOverFrom)} ]; then`,
          `  __hcd_p=; [ -s ${LOCK_HOLDER} ] && read -r __hcd_p < ${LOCK_HOLDER}`,
          `  [ -n "$__hcd_p" ] && [ "$__hcd_p" != $$ ] && kill "$__hcd_p" 2>/dev/null`,
          `  if flock -w 10 9; then`,
          `    printf '%s\\n' ${quote(owner)} > ${LOCK_OWNER}; echo $$ > ${LOCK_HOLDER}; ${bump}`,
          `    trap 'rm -f ${LOCK_OWNER}; ${bump}' EXIT`,
          `    printf 'locked %s\\n' "$__hcd_g"`,
          `  else exec 9>&-; echo "busy $(cat ${LOCK_OWNER} 2>/dev/null)"; fi`,
        ]
      : []),
    // the same run reaching one machine under two inventory names shares the lock
    `elif [ "$(cat ${LOCK_OWNER} 2>/dev/null)" = ${quote(owner)} ]; then exec 9>&-; printf 'shared %s\\n' "$__hcd_g"`,
    `else exec 9>&-; echo "busy $(cat ${LOCK_OWNER} 2>/dev/null)"`,
    `fi`,
  ].join("\n");
}

/** The sudo command line that runs the session shell (empty: no become needed). */
export function sudoPrefix(t: SshTarget): string {
  if (!needsSudo(t)) return "";
  const method = t.becomeMethod ?? "sudo";
  const exe = quote(t.becomeExe ?? method);
  const user = t.becomeUser && t.becomeUser !== "root" ? `-u ${quote(t.becomeUser)} ` : "";
  // doas asks its password on a terminal only: a password with doas is refused as bad input
  if (method === "doas") return `${exe} -n ${user}-- `;
  return t.becomePassword ? `${exe} -S -p ${quote(SUDO_PROMPT)} ${user}-- ` : `${exe} -n ${user}-- `;
}

interface Pending {
  seq: number;
  resolve: (r: RunResult & { gen: string }) => void;
  reject: (e: Error) => void;
  out?: { text: string; code: number; gen: string };
  err?: string;
}

/**
 * A long-lived POSIX shell on one exec channel: every later script costs one round trip (no
 * channel to open, no process to start), and the first one travels inside the command line
 * when it holds no secret, so a run that changes nothing is one channel and one exchange.
 */
export class ScriptStream {
  private readonly mark = `__hcd_${randomBytes(8).toString("hex")}`;
  private seq = 0;
  private queue: Pending[] = [];
  private out = "";
  private err = "";
  private ended?: Error;
  private exit: { code: number | null } = { code: null };

  private constructor(private target: SshTarget) {}

  /** Start the session; `first` (a script) runs at once, its result is the first run(). */
  static open(
    exec: (command: string) => ExecChannel,
    target: SshTarget,
    first?: string,
  ): { stream: ScriptStream; first?: Promise<RunResult & { gen: string }> } {
    const s = new ScriptStream(target);
    // With a sudo password, the shell says when it is up: until then stdin belongs to sudo.
    const up = s.password ? `printf '\\n%s\\n' ${s.mark}:up >&2\n` : "";
    const command = (boot: string) => `exec ${s.prefix()}sh -c ${quote(`export LC_ALL=C\n${up}${boot}exec sh -s\n`)}`;
    // (the limit is on the quoted text: one argument of the remote login shell, at most 128 KiB)
    let line = first !== undefined && redact(first) === first ? command(frame(s.mark, 0, first)) : undefined;
    if (line !== undefined && line.length > MAX_INLINE) line = undefined;
    const inline = line !== undefined;
    const p = inline ? s.enqueue(0) : undefined;
    let started: Promise<ExecChannel>;
    try {
      started = Promise.resolve(exec(line ?? command("")));
    } catch (e) {
      started = Promise.reject(e as Error);
    }
    s.start(started);
    const firstRun = p ?? (first !== undefined ? s.runScript(first) : undefined);
    return { stream: s, first: firstRun };
  }

  /** The become password, when sudo may ask for it (a login as root needs none). */
  private get password(): Secret | undefined {
    return needsSudo(this.target) ? this.target.becomePassword : undefined;
  }

  private prefix(): string {
    return sudoPrefix(this.target);
  }

  /** The channel, once the remote shell reads its stdin (with a sudo password: once it said so). */
  private writable?: Promise<ExecChannel | undefined>;
  /**
   * What stderr said before the shell came up (sudo's lecture, prompts, refusal): only while a
   * password may be asked for. sudo reads the password from the same stdin as the shell after
   * it: the password is written only in answer to sudo's own prompt, and no script is written
   * before the shell has said that it is up, so neither can ever be read by the other.
   */
  private preamble?: string;
  private shellUp?: () => void;
  private markClosed: () => void = () => {};
  private closed = new Promise<void>((r) => (this.markClosed = r));

  private start(started: Promise<ExecChannel>): void {
    const pw = this.password;
    const up = pw ? new Promise<void>((r) => (this.shellUp = r)) : Promise.resolve();
    if (pw) this.preamble = "";
    this.writable = started.then(
      (ch) => up.then(() => ch),
      () => undefined,
    );
    const upMark = `\n${this.mark}:up\n`;
    started.then(
      (ch) => {
        let answered = 0;
        // (a character split between two chunks is decoded whole)
        const outText = new StringDecoder("utf8");
        const errText = new StringDecoder("utf8");
        ch.onStdout((d: Buffer) => {
          this.out += outText.write(d);
          this.drain();
        });
        ch.onStderr((d: Buffer) => {
          let text = errText.write(d);
          if (pw && this.preamble !== undefined) {
            this.preamble += text;
            const asked = this.preamble.split(SUDO_PROMPT).length - 1;
            for (; answered < asked; answered++)
              if (answered === 0) ch.write(pw.reveal() + "\n");
              // asked again: the password was refused; end stdin so sudo gives up now
              else ch.end();
            const at = this.preamble.indexOf(upMark);
            if (at < 0) return;
            // the shell is up: sudo has finished with stdin; what it said before is not a script's
            text = this.preamble.slice(at + upMark.length);
            this.preamble = undefined;
            this.shellUp?.();
          }
          this.err += text;
          this.drain();
        });
        ch.onExit((code) => (this.exit.code = code));
        // a channel's error (a write after the connection went down) belongs to this host's run
        ch.onError((e: Error) => this.finish(e));
        ch.onClose(() => this.markClosed());
        ch.onClose(() =>
          this.finish(new Error(`the remote shell ended${this.exit.code !== null ? ` (exit ${this.exit.code})` : ""}`)),
        );
      },
      (e: Error) => this.finish(e),
    );
  }

  private enqueue(seq: number): Promise<RunResult & { gen: string }> {
    return new Promise((resolve, reject) => {
      if (this.ended) return reject(this.ended);
      this.queue.push({ seq, resolve, reject });
    });
  }

  /** Run one script; resolves with its output, exit code and the lock generation read before it. */
  async runScript(script: string): Promise<RunResult & { gen: string }> {
    const seq = ++this.seq;
    const p = this.enqueue(seq);
    const ch = await this.writable;
    if (ch && !this.ended) ch.write(frame(this.mark, seq, script));
    return p;
  }

  /** Send the lock script, framed to run in the session shell itself (not in a subshell: the flock must outlive it). */
  async lock(owner: string, takeOverFrom?: string): Promise<string> {
    const seq = ++this.seq;
    const p = this.enqueue(seq);
    const ch = await this.writable;
    if (ch && !this.ended) ch.write(frame(this.mark, seq, lockScript(owner, takeOverFrom), true));
    return (await p).stdout;
  }

  private drain(): void {
    while (this.queue.length) {
      const head = this.queue[0]!;
      const tag = `\n${this.mark}:${head.seq}`;
      if (!head.out) {
        const at = this.out.indexOf(tag + " ");
        const eol = at < 0 ? -1 : this.out.indexOf("\n", at + tag.length);
        if (eol >= 0) {
          const [code, gen = ""] = this.out.slice(at + tag.length + 1, eol).split(" ");
          head.out = { text: this.out.slice(0, at), code: Number(code), gen };
          this.out = this.out.slice(eol + 1);
        }
      }
      if (head.err === undefined) {
        const at = this.err.indexOf(tag + "\n");
        if (at >= 0) {
          head.err = this.err.slice(0, at);
          this.err = this.err.slice(at + tag.length + 1);
        }
      }
      if (!head.out || head.err === undefined) return;
      this.queue.shift();
      head.resolve({ stdout: head.out.text, stderr: head.err, code: head.out.code, gen: head.out.gen });
    }
  }

  private finish(why: Error): void {
    if (this.ended) return;
    this.ended = why;
    if (this.preamble !== undefined) {
      // the shell never came up: what sudo said is the reason (its prompts are ours, not its words)
      this.err = this.preamble.split(SUDO_PROMPT).join("") + this.err;
      this.preamble = undefined;
    }
    this.shellUp?.();
    const q = this.queue.splice(0);
    // The shell ended before a script finished: report what it printed (sudo's refusal, say).
    const head = q.shift();
    // ssh itself failed or lost the connection (it exits 255): its reason, never a script's result
    if (head && this.exit.code === 255) {
      head.reject(new ChannelFailed(this.err + this.out, why));
      for (const p of q) p.reject(why);
      return;
    }
    if (head) {
      const said = (this.err + this.out).trim();
      if (said && this.exit.code !== null)
        head.resolve({ stdout: this.out, stderr: this.err, code: this.exit.code || 255, gen: "" });
      else head.reject(why);
    }
    for (const p of q) p.reject(why);
  }

  /** End the shell: EOF on its stdin. Waits for it to exit when `wait` (to free the lock now). */
  async end(wait: boolean): Promise<void> {
    const ch = await this.writable;
    if (!ch || this.ended) return;
    ch.end();
    if (wait) await Promise.race([this.closed, new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}
