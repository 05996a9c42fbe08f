import { DeployError } from "../errors.js";
import { redact } from "../secrets.js";
import { AskPass } from "./askpass.js";
import { hostKeyRefusal, keyTypesFor } from "./host-key-probe.js";
import { baseArgs, hostKeyFailed, setKeyTypes, sshFailure, sshProgram } from "./openssh.js";
import { type ExecChannel, spawnChannel } from "./process-channel.js";
import type { RemoteShell, RunResult, SshTarget } from "./target.js";

const PROMPT = /(?:^|\n)([^\n]*[>#] )$/;
const SAVE_QUESTION = /Save new configuration \? \(Y\/N\)\s*$/;

/**
 * A YAMAHA RTX CLI session over SSH: the RTX refuses one-off exec channels, so one PTY shell
 * for the whole run. Log in, `console lines infinity` (no pager), `administrator` with its
 * password, one command per line with its output collected up to the next prompt, `Error:`
 * lines as failures, `save` after changes, and a deliberate answer to the Save question.
 */
export class RtxShell implements RemoteShell {
  readonly language = "rtx";
  remoteScripts = 0;
  private buf = "";
  private waiter?: () => void;
  private admin = false;
  /** Configuration commands sent since the last successful save. */
  private unsaved = false;
  /** Every configuration command sent, for tests and -vv. */
  readonly sent: string[] = [];

  /** What ssh said on stderr (its reason, when the login fails). */
  private said = "";
  /** Something came from the router: ssh logged in. */
  private loggedIn = false;

  private constructor(
    readonly target: SshTarget,
    private chan: ExecChannel,
    private timeoutMs: number,
  ) {
    chan.onStdout((d: Buffer) => {
      this.loggedIn = true;
      this.buf += d.toString("utf8").replace(/\r/g, "");
      this.waiter?.();
    });
    chan.onStderr((d: Buffer) => (this.said += d.toString("utf8")));
    // the router's session is this host's alone: its end or error fails what waits on it
    const gone = (why: string) => {
      this.gone ??= why;
      this.waiter?.();
    };
    chan.onError((e: Error) => gone(e.message));
    chan.onClose(() => gone("the router closed the session"));
  }

  /** Why the session ended under us, if it did. */
  private gone?: string;

  /**
   * `ssh -tt` with the login password (an RTX logs in by password) answered through SSH_ASKPASS;
   * the host key checked by our policy as for any host.
   */
  static async open(t: SshTarget, timeoutMs = 20000): Promise<RtxShell> {
    const types = await keyTypesFor(t);
    setKeyTypes(t, types);
    const askpass = t.password ? new AskPass(t.password) : undefined;
    const args = [
      ...baseArgs(t, types),
      ...["ControlMaster=no", "ControlPath=none"].flatMap((x) => ["-o", x]),
      "-tt",
      "--",
      t.alias,
    ];
    const chan = spawnChannel(sshProgram(), args, askpass?.env);
    const shell = new RtxShell(t, chan, timeoutMs);
    try {
      try {
        await shell.waitFor(PROMPT, "the login prompt");
      } catch (e) {
        if (shell.loggedIn) throw e;
        // ssh ended (or hung) before the router said anything: ssh's reason
        if (hostKeyFailed(shell.said)) throw await hostKeyRefusal(t, shell.said);
        if (/Permission denied/.test(shell.said))
          throw new DeployError(
            "connect",
            `${t.host}:${t.port} refused the login of ${t.user} (check ansible_password)`,
            { host: t.name },
          );
        throw shell.said.trim() ? sshFailure(t, shell.said) : e;
      } finally {
        askpass?.close();
      }
      shell.buf = "";
      await shell.command("console lines infinity");
      await shell.command("console character ascii");
      await shell.enterAdministrator();
    } catch (e) {
      await shell.close().catch(() => undefined);
      throw e;
    }
    return shell;
  }

  /** Wait until the text received so far matches `re`; never longer than the timeout. */
  private waitFor(re: RegExp, what: string, timeoutMs = this.timeoutMs): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(
          new DeployError(
            "task",
            `RTX ${this.target.name}: no ${what} within ${timeoutMs / 1000} s (last output: ${JSON.stringify(redact(this.buf.slice(-200)))})`,
            { host: this.target.name },
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (this.gone && !re.test(this.buf)) {
          clearTimeout(timer);
          this.waiter = undefined;
          reject(
            new DeployError(
              "connect",
              `lost during the run: the session with RTX ${this.target.name} ended (${this.gone})`,
              { host: this.target.name },
            ),
          );
        } else if (re.test(this.buf)) {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve(this.buf);
        }
      };
      this.waiter = check;
      check();
    });
  }

  /** Send one line; return its output (echo and prompt removed). */
  async command(line: string, timeoutMs?: number): Promise<string> {
    this.buf = "";
    if (!this.gone) this.chan.write(line + "\r");
    const text = await this.waitFor(PROMPT, `prompt after "${redact(line).slice(0, 60)}"`, timeoutMs);
    const lines = text.replace(PROMPT, "").split("\n");
    if (lines[0]?.trim() === line.trim()) lines.shift();
    return lines.join("\n").trim();
  }

  private async enterAdministrator(): Promise<void> {
    const pw = this.target.becomePassword?.reveal();
    if (!pw)
      throw new DeployError("input", `RTX ${this.target.name}: no administrator password (ansible_become_password)`, {
        host: this.target.name,
      });
    this.buf = "";
    this.chan.write("administrator\r");
    await this.waitFor(/Password: ?$/, "administrator password prompt");
    this.buf = "";
    this.chan.write(pw + "\r");
    const out = await this.waitFor(PROMPT, "prompt after the administrator password");
    const prompt = PROMPT.exec(out)?.[1] ?? "";
    if (!prompt.endsWith("# "))
      throw new DeployError("connect", `RTX ${this.target.name}: the administrator password was refused`, {
        host: this.target.name,
      });
    this.admin = true;
  }

  /** Run a script of the rtx dialect: sections of command lines, framed back like sh output. */
  async runScript(script: string): Promise<RunResult> {
    this.remoteScripts++;
    const out: string[] = [];
    let current: { token: string; id: string; stop: boolean; output: string[]; failed: boolean } | undefined;
    let stopped = false;
    let changed = false;
    for (const raw of script.split("\n")) {
      const marker = /^#@@ (\S+) (\S+) (begin|end)( stop)?$/.exec(raw);
      if (marker) {
        if (marker[3] === "begin") {
          if (stopped) break;
          current = { token: marker[1]!, id: marker[2]!, stop: !!marker[4], output: [], failed: false };
          out.push(`@@${current.token} ${current.id} begin`);
        } else if (current) {
          out.push(...current.output, `@@${current.token} ${current.id} end ${current.failed ? 1 : 0}`);
          if (current.failed && current.stop) stopped = true;
          current = undefined;
        }
        continue;
      }
      const line = raw.trim();
      if (!line || !current || current.failed) continue;
      const isConfig = !/^(show|console)\b/.test(line);
      if (isConfig) {
        this.sent.push(line);
        changed = true;
      }
      const reply = await this.command(line, /^show config/.test(line) ? 60000 : undefined);
      if (reply) current.output.push(reply);
      if (/^Error:/m.test(reply)) {
        current.failed = true;
        current.output.push(`(command: ${line})`);
      }
      if (isConfig && !/^tunnel select/.test(line)) this.unsaved = true;
    }
    if (changed && this.unsaved && !stopped) {
      const reply = await this.command("save", 60000);
      if (/^Error:/m.test(reply)) return { stdout: out.join("\n") + "\n", stderr: `save failed: ${reply}`, code: 1 };
      this.unsaved = false;
    }
    return { stdout: out.join("\n") + "\n", stderr: "", code: 0 };
  }

  runScriptFresh(): Promise<RunResult> {
    return Promise.reject(new DeployError("task", "an RTX router cannot be confirmed over a second session"));
  }

  /** Leave administrator (answering the Save question deliberately: No, we save explicitly) and log out. */
  async close(): Promise<void> {
    try {
      if (this.admin) {
        await this.command("tunnel select none").catch(() => undefined);
        this.buf = "";
        this.chan.write("exit\r");
        const t = await this.waitFor(
          new RegExp(`${SAVE_QUESTION.source}|${PROMPT.source}`),
          "prompt after leaving administrator",
          5000,
        ).catch(() => "");
        if (SAVE_QUESTION.test(t)) {
          // Everything we changed was saved already; unsaved changes here are not ours to keep.
          this.buf = "";
          this.chan.write("N\r");
          await this.waitFor(PROMPT, "prompt after the Save question", 5000).catch(() => undefined);
        }
        this.admin = false;
      }
      this.chan.write("exit\r");
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      this.chan.end();
    }
  }
}
