// A YAMAHA RTX simulator: an SSH server (ssh2's server side) that speaks the subset of the RTX
// CLI the yamaha-l2tpv3 role uses, as the router does: login banner and prompts, console lines,
// administrator with its password, tunnel contexts, argument validation answered with
// `Error: ...`, `no <command>`, `show config` with a header that changes on every call, `save`,
// the Save question when leaving administrator with unsaved changes; exec channels refused.
// Its configuration is plain data the tests inspect.
import { Server, utils } from "ssh2";
import type { AddressInfo } from "node:net";

export interface RtxConfigData {
  top: string[];
  tunnels: Map<number, string[]>;
}

export interface RtxSimOptions {
  user?: string;
  password?: string;
  adminPassword?: string;
  model?: string;
  initial?: Partial<RtxConfigData>;
}

const IP4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const IP6 = "[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*";
const NAME = "[A-Za-z0-9._-]+";
const ADDR = `(?:${IP6}|${IP4})`;

interface Spec {
  re: RegExp;
  /** where it may be entered */
  ctx: "top" | "tunnel";
  /** the part that identifies the setting (a new value replaces the old) */
  key: (w: string[]) => string;
}

const k = (n: number) => (w: string[]) => w.slice(0, n).join(" ");
const COMMANDS: Array<[RegExp, Spec]> = [
  [
    /^tunnel encapsulation /,
    { re: /^tunnel encapsulation (l2tpv3|l2tpv3-raw|l2tp|ipsec|ipip|pptp)$/, ctx: "tunnel", key: k(2) },
  ],
  [
    /^tunnel endpoint address /,
    { re: new RegExp(`^tunnel endpoint address ${ADDR} ${ADDR}$`), ctx: "tunnel", key: () => "tunnel endpoint" },
  ],
  [
    /^tunnel endpoint name /,
    { re: new RegExp(`^tunnel endpoint name ${NAME} ${NAME}( fqdn)?$`), ctx: "tunnel", key: () => "tunnel endpoint" },
  ],
  [/^tunnel enable /, { re: /^tunnel enable \d+$/, ctx: "tunnel", key: k(2) }],
  [/^ipsec tunnel /, { re: /^ipsec tunnel \d+$/, ctx: "tunnel", key: k(2) }],
  [
    /^ipsec sa policy /,
    {
      re: /^ipsec sa policy \d+ \d+ esp (aes-cbc|aes256-cbc|3des-cbc|des-cbc) (sha-hmac|sha256-hmac|md5-hmac)$/,
      ctx: "tunnel",
      key: k(4),
    },
  ],
  [
    /^ipsec ike keepalive use /,
    { re: /^ipsec ike keepalive use \d+ (on|off|auto)( heartbeat( \d+ \d+)?)?$/, ctx: "tunnel", key: k(5) },
  ],
  [
    /^ipsec ike encryption /,
    { re: /^ipsec ike encryption \d+ (aes-cbc|aes256-cbc|3des-cbc|des-cbc)$/, ctx: "tunnel", key: k(4) },
  ],
  [/^ipsec ike hash /, { re: /^ipsec ike hash \d+ (sha|sha256|md5)$/, ctx: "tunnel", key: k(4) }],
  [
    /^ipsec ike group /,
    { re: /^ipsec ike group \d+ (modp768|modp1024|modp1536|modp2048)( \S+)?$/, ctx: "tunnel", key: k(4) },
  ],
  [
    /^ipsec ike local (address|name) /,
    {
      re: new RegExp(`^ipsec ike local (address \\d+ ${ADDR}|name \\d+ ${NAME}( key-id)?)$`),
      ctx: "tunnel",
      key: (w) => `ipsec ike local ${w[4]}`,
    },
  ],
  [
    /^ipsec ike remote (address|name) /,
    {
      re: new RegExp(`^ipsec ike remote (address \\d+ (${ADDR}|${NAME})|name \\d+ ${NAME}( key-id)?)$`),
      ctx: "tunnel",
      key: (w) => `ipsec ike remote ${w[4]}`,
    },
  ],
  [/^ipsec ike pre-shared-key /, { re: /^ipsec ike pre-shared-key \d+ text \S{1,128}$/, ctx: "tunnel", key: k(4) }],
  [/^l2tp always-on /, { re: /^l2tp always-on (on|off)$/, ctx: "tunnel", key: k(2) }],
  [/^l2tp hostname /, { re: new RegExp(`^l2tp hostname ${NAME}$`), ctx: "tunnel", key: k(2) }],
  [/^l2tp tunnel auth /, { re: /^l2tp tunnel auth (off|on( \S{1,64})?)$/, ctx: "tunnel", key: k(3) }],
  [/^l2tp keepalive use /, { re: /^l2tp keepalive use (on|off)( \d+ \d+)?$/, ctx: "tunnel", key: k(3) }],
  [
    /^l2tp (local|remote) router-id /,
    { re: new RegExp(`^l2tp (local|remote) router-id ${IP4}$`), ctx: "tunnel", key: k(3) },
  ],
  [/^l2tp remote end-id /, { re: new RegExp(`^l2tp remote end-id ${NAME}$`), ctx: "tunnel", key: k(3) }],
  [/^ipsec transport /, { re: /^ipsec transport \d+ \d+ udp 1701$/, ctx: "top", key: k(3) }],
  [/^l2tp service /, { re: /^l2tp service (on|off)( l2tpv3| l2tp)*$/, ctx: "top", key: k(2) }],
  [/^bridge member /, { re: /^bridge member bridge\d+( (lan\d+|tunnel\d+))+$/, ctx: "top", key: k(3) }],
  [/^ip \S+ address /, { re: new RegExp(`^ip (lan\\d+|bridge\\d+) address ${IP4}/\\d{1,2}$`), ctx: "top", key: k(3) }],
] as Array<[RegExp, Spec]>;

function lookup(line: string): Spec | undefined {
  return COMMANDS.find(([head]) => head.test(line + " "))?.[1];
}

export class RtxSimulator {
  readonly config: RtxConfigData;
  private saved: RtxConfigData;
  /** Every line received at a prompt, in order (passwords are not lines). */
  readonly received: Array<{ line: string; admin: boolean }> = [];
  /** Configuration commands accepted (tests count them). */
  readonly accepted: string[] = [];
  readonly rejectedExec: string[] = [];
  saves = 0;
  port = 0;
  hostKeyLine = "";
  private server?: Server;

  constructor(private opts: RtxSimOptions = {}) {
    this.config = {
      top: [...(opts.initial?.top ?? ["ip lan1 address 192.168.100.1/24", "console character ascii"])],
      tunnels: new Map(opts.initial?.tunnels ?? []),
    };
    this.saved = clone(this.config);
  }

  get model(): string {
    return this.opts.model ?? "RTX830";
  }

  async start(): Promise<void> {
    const key = utils.generateKeyPairSync("ed25519");
    const parsed = utils.parseKey(key.private);
    if (parsed instanceof Error) throw parsed;
    const pub = Array.isArray(parsed) ? parsed[0] : parsed;
    this.server = new Server({ hostKeys: [key.private] }, (client) => {
      client.on("authentication", (ctx) => {
        const ok =
          ctx.username === (this.opts.user ?? "admin") &&
          ctx.method === "password" &&
          ctx.password === (this.opts.password ?? "login-pw");
        if (ok) ctx.accept();
        else ctx.reject(["password"]);
      });
      client.on("ready", () => {
        client.on("session", (accept) => {
          const session = accept();
          session.on("pty", (acc) => acc?.());
          session.on("env", (acc) => acc?.());
          session.on("exec", (_acc, reject, info) => {
            this.rejectedExec.push(info.command);
            reject?.();
          });
          session.on("shell", (acc) => this.shell(acc()));
        });
      });
      client.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    this.hostKeyLine = `[127.0.0.1]:${this.port} ${pub.type} ${pub.getPublicSSH().toString("base64")}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** `show config` as the router prints it: a header that changes every call, then contexts. */
  showConfig(): string {
    const now = new Date();
    const header = [
      `# ${this.model} Rev.15.02.30 (Wed Jun 12 11:27:56 2024)`,
      "# MAC Address : 00:a0:de:12:34:56, 00:a0:de:12:34:57",
      "# Memory 256Mbytes, 2LAN",
      `# main:  ${this.model} ver=00 serial=S00000000 MAC-Address=00:a0:de:12:34:56 MAC-Address=00:a0:de:12:34:57`,
      `# Reporting Date: ${now.toUTCString().slice(5, 25)}.${now.getMilliseconds()}`,
    ];
    const late = (l: string) => /^(ipsec transport|l2tp service)/.test(l);
    const body = [...this.config.top.filter((l) => !late(l))];
    for (const [n, lines] of [...this.config.tunnels.entries()].sort((a, b) => a[0] - b[0])) {
      body.push(`tunnel select ${n}`);
      for (const l of lines) body.push(/^ipsec (sa|ike) /.test(l) ? `  ${l}` : ` ${l}`);
    }
    body.push(...this.config.top.filter(late));
    return [...header, ...body].join("\r\n");
  }

  private shell(stream: import("ssh2").ServerChannel): void {
    let admin = false;
    let tunnel: number | undefined;
    let lines = 24;
    let buf = "";
    let awaiting: "none" | "password" | "save" = "none";
    const prompt = () => `[${this.model}] ${tunnel !== undefined ? `tunnel${tunnel}` : ""}${admin ? "# " : "> "}`;
    const out = (s: string) => stream.write(s.replace(/\n/g, "\r\n"));
    out(
      `\nRTX830 Rev.15.02.30 (Wed Jun 12 11:27:56 2024)\n  Copyright (c) 1994-2024 Yamaha Corporation. All Rights Reserved.\n  Copyright (c) 1991-1997 Regents of the University of California.\n\n${prompt()}`,
    );
    const handle = (raw: string) => {
      const line = raw.trim().replace(/\s+/g, " ");
      if (awaiting === "password") {
        awaiting = "none";
        if (raw === (this.opts.adminPassword ?? "admin-pw")) admin = true;
        else out("Error: Password is incorrect\n");
        return out(prompt());
      }
      if (awaiting === "save") {
        awaiting = "none";
        if (/^[Yy]$/.test(line)) this.save();
        else if (/^[Nn]$/.test(line)) this.discard();
        else {
          awaiting = "save";
          return out("Save new configuration ? (Y/N)");
        }
        admin = false;
        tunnel = undefined;
        return out(prompt());
      }
      this.received.push({ line, admin });
      const reply = this.command(line, { admin, tunnel, setTunnel: (t) => (tunnel = t), setLines: (n) => (lines = n) });
      if (reply === "@password") {
        awaiting = "password";
        return out("Password: ");
      }
      if (reply === "@exit") {
        if (admin && this.unsaved()) {
          awaiting = "save";
          return out("Save new configuration ? (Y/N)");
        }
        if (admin) {
          admin = false;
          tunnel = undefined;
          return out(prompt());
        }
        stream.end();
        return;
      }
      void lines;
      if (reply) out(reply.endsWith("\n") ? reply : reply + "\n");
      out(prompt());
    };
    stream.on("data", (d: Buffer) => {
      for (const ch of d.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          if (ch === "\n" && buf === "") continue;
          if (awaiting !== "password") out("\n");
          const l = buf;
          buf = "";
          handle(l);
        } else if (ch === "\x7f" || ch === "\b") buf = buf.slice(0, -1);
        else {
          buf += ch;
          if (awaiting !== "password") out(ch); // echo, but never the password
        }
      }
    });
  }

  /** A change made by someone at the router's own console, and saved: drift, as tests make it. */
  operatorEdit(edit: (config: RtxConfigData) => void): void {
    edit(this.config);
    this.save();
  }

  private unsaved(): boolean {
    return JSON.stringify(serial(this.config)) !== JSON.stringify(serial(this.saved));
  }

  private save(): void {
    this.saved = clone(this.config);
    this.saves++;
  }

  private discard(): void {
    const s = clone(this.saved);
    this.config.top.splice(0, this.config.top.length, ...s.top);
    this.config.tunnels.clear();
    for (const [n, l] of s.tunnels) this.config.tunnels.set(n, l);
  }

  /** One command line; returns what the router prints (or a token for dialogs). */
  command(
    line: string,
    st: { admin: boolean; tunnel?: number; setTunnel(t?: number): void; setLines(n: number): void },
  ): string {
    if (line === "") return "";
    if (line === "exit" || line === "quit") return "@exit";
    if (line === "administrator") return st.admin ? "" : "@password";
    const lines = /^console lines (infinity|\d+)$/.exec(line);
    if (lines) {
      st.setLines(lines[1] === "infinity" ? Infinity : Number(lines[1]));
      return "";
    }
    if (/^console character (ascii|ja\.sjis|ja\.utf8|en\.ascii)$/.test(line)) return "";
    if (/^console /.test(line)) return "Error: Invalid parameter";
    if (!st.admin)
      return /^show /.test(line) || /^(tunnel|ipsec|l2tp|bridge|ip|no|save) /.test(line + " ")
        ? "Error: Permission denied (use the administrator command)"
        : "Error: Invalid command name";
    if (line === "show config") return this.showConfig();
    if (line === "save") {
      this.save();
      return "Saving ... CONFIG0 Done.";
    }
    const sel = /^tunnel select (\d+|none)$/.exec(line);
    if (sel) {
      if (sel[1] === "none") st.setTunnel(undefined);
      else {
        const n = Number(sel[1]);
        if (n < 1 || n > 100) return "Error: Invalid parameter";
        st.setTunnel(n);
      }
      return "";
    }
    if (/^tunnel select/.test(line)) return "Error: Invalid parameter";
    const negated = line.startsWith("no ");
    const cmd = negated ? line.slice(3) : line;
    const spec = lookup(cmd);
    if (!spec) return "Error: Invalid command name";
    if (spec.ctx === "tunnel" && st.tunnel === undefined) return "Error: Select a tunnel first (tunnel select)";
    const target = spec.ctx === "tunnel" ? (this.config.tunnels.get(st.tunnel!) ?? []) : this.config.top;
    const key = spec.key(cmd.split(" "));
    const at = target.findIndex((l) => lookup(l)?.key(l.split(" ")) === key);
    if (negated) {
      // `no X` takes the command with or without its arguments
      if (at >= 0) target.splice(at, 1);
      this.accepted.push(line);
      return "";
    }
    if (!spec.re.test(cmd)) return "Error: Invalid parameter";
    if (at >= 0) target[at] = cmd;
    else target.push(cmd);
    if (spec.ctx === "tunnel") this.config.tunnels.set(st.tunnel!, target);
    this.accepted.push(line);
    return "";
  }
}

function clone(c: RtxConfigData): RtxConfigData {
  return { top: [...c.top], tunnels: new Map([...c.tunnels].map(([n, l]) => [n, [...l]])) };
}

function serial(c: RtxConfigData) {
  return { top: c.top, tunnels: [...c.tunnels].sort((a, b) => a[0] - b[0]) };
}
