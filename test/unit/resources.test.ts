// Table-driven: recorded probe output -> parsed state; current + desired -> steps.
import { describe, expect, it } from "vitest";
import { apt, command, directory, file, line, service, sysctl, resolvers } from "../../src/index.js";
import { editLines } from "../../src/resources/files/line.js";
import { parseServiceProbe } from "../../src/resources/services/service.js";
import { parseDpkgQuery } from "../../src/resources/packages/apt.js";
import { parseFileProbe } from "../../src/resources/files/file.js";
import { secret } from "../../src/secrets.js";
import { asProbe } from "../../src/engine/read-tables.js";
import type { Resource } from "../../src/engine/types.js";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { template } from "../../src/resources/files/template.js";
import { compile } from "../../src/engine/compile.js";
import { parseInventory } from "../../src/inventory/load.js";
import { definePlaybook } from "../../src/playbook/define.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const plan = (t: ReturnType<typeof file>, out: string, code = 0) => t.resource.steps(t.resource.parse(out, code));

describe("file", () => {
  const t = file({ path: "/etc/x.conf", content: "a\n", mode: "0644" });
  it("parses the probe", () => {
    expect(parseFileProbe(`regular file 644 root root\nsha ${sha("a\n")}`)).toEqual({
      type: "file",
      mode: "0644",
      owner: "root",
      group: "root",
      sha256: sha("a\n"),
    });
    expect(parseFileProbe("absent")).toEqual({ type: "absent" });
    expect(
      parseFileProbe(`regular file 600 root root\nsha x\ncontent\n${Buffer.from("old\n").toString("base64")}`).before,
    ).toBe("old\n");
  });
  it("plans nothing when equal", () => expect(plan(t, `regular file 644 root root\nsha ${sha("a\n")}`)).toEqual([]));
  it("creates a missing file", () => expect(plan(t, "absent").map((s) => s.why)).toEqual(["create /etc/x.conf"]));
  it("rewrites different content", () =>
    expect(plan(t, `regular file 644 root root\nsha ${sha("b\n")}`).map((s) => s.why)).toEqual([
      "content of /etc/x.conf differs",
    ]));
  it("fixes only the mode", () =>
    expect(plan(t, `regular file 600 root root\nsha ${sha("a\n")}`).map((s) => s.why)).toEqual([
      "/etc/x.conf: mode 0600 -> 0644",
    ]));
  it("refuses to replace a directory", () =>
    expect(() => plan(t, "directory 755 root root")).toThrow(/not a regular file/));
  it("force: false writes only where no file is, and still sets mode and owner", () => {
    const seed = file({ path: "/etc/x.conf", content: "a\n", mode: "0600", force: false });
    expect(plan(seed, "absent").map((s) => s.why)).toEqual(["create /etc/x.conf"]);
    expect(plan(seed, `regular file 600 root root\nsha ${sha("other\n")}`)).toEqual([]);
    expect(plan(seed, `regular file 644 root root\nsha ${sha("other\n")}`).map((s) => s.why)).toEqual([
      "/etc/x.conf: mode 0644 -> 0600",
    ]);
  });
  it("keeps secret content out of the script's argv and marks its diff sensitive", () => {
    const s = file({ path: "/etc/pw", content: secret("p@ss-unit-test") });
    const [step] = s.resource.steps(s.resource.parse("absent", 0));
    expect(step!.script).not.toContain("p@ss-unit-test"); // base64 inside a here-document
    expect(step!.diff?.sensitive).toBe(true);
  });
  it("probes content for diffs only when asked and not secret", () => {
    const text = (r: Resource, diff: boolean) => asProbe(r.probe({ diff })).script;
    expect(text(t.resource, false)).not.toContain("base64");
    expect(text(t.resource, true)).toContain("base64");
    expect(text(file({ path: "/p", content: secret("zz") }).resource, true)).not.toContain("base64");
  });
});

describe("directory", () => {
  const d = directory({ path: "/srv/d", mode: "0750", owner: "root" });
  it.each([
    ["absent", ["create /srv/d"]],
    ["directory 750 root root", []],
    ["directory 755 root root", ["/srv/d: mode 0755 -> 0750"]],
  ])("%s -> %j", (out, whys) => expect(d.resource.steps(d.resource.parse(out, 0)).map((s) => s.why)).toEqual(whys));
});

describe("line", () => {
  it.each([
    ["", { line: "a=1" }, "a=1\n"],
    ["x\n", { line: "a=1" }, "x\na=1\n"],
    ["a=0\nx\na=2\n", { line: "a=1", regexp: "^a=" }, "a=0\nx\na=1\n"],
    ["x\na=1\n", { line: "a=1" }, "x\na=1\n"],
    ["x\ndrop\ny\n", { regexp: "^drop", state: "absent" as const }, "x\ny\n"],
    ["only\n", { line: "only", state: "absent" as const }, ""],
  ])("edit %j with %j", (text, opts, want) => expect(editLines(text, { path: "/f", ...opts })).toBe(want));
  it("plans nothing when the line is there", () => {
    const l = line({ path: "/f", line: "a=1" });
    expect(
      l.resource.steps(
        l.resource.parse(`regular file 644 root root\ncontent\n${Buffer.from("a=1\n").toString("base64")}`, 0),
      ),
    ).toEqual([]);
  });
  it("repairs the mode and owner it was given when the line is there", () => {
    const l = line({ path: "/f", line: "a=1", mode: "0600", owner: "root", group: "adm" });
    const content = `content\n${Buffer.from("a=1\n").toString("base64")}`;
    const steps = l.resource.steps(l.resource.parse(`regular file 644 root root\n${content}`, 0));
    expect(steps.map((x) => [x.why, x.script])).toEqual([
      ["/f: mode 0644 -> 0600", "chmod 0600 /f"],
      ["/f: owner root:root -> root:adm", "chown root:adm /f"],
    ]);
    expect(l.resource.steps(l.resource.parse(`regular file 600 root adm\n${content}`, 0))).toEqual([]);
    // its state cannot be projected from a text alone: mode and owner are read back
    expect(l.resource.fromContent).toBeUndefined();
  });
});

describe("apt", () => {
  it("parses dpkg-query", () =>
    expect([...parseDpkgQuery("radvd\tii \nndppd\tun \nfoo:amd64\tii \n")]).toEqual(["radvd", "foo"]));
  it("installs only what is missing", () => {
    const a = apt({ names: ["radvd", "ndppd"] });
    const [step] = a.resource.steps(a.resource.parse("radvd\tii \n", 0));
    expect(step!.why).toBe("install ndppd");
    expect(step!.script).toContain(
      "apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold ndppd",
    );
    // lists that do not know the package (a fresh cloud image): apt-get update first
    expect(step!.script).toMatch(
      /^if ! apt-cache show ndppd >\/dev\/null 2>&1; then apt-get -o DPkg::Lock::Timeout=600 update -q \|\| exit 1; fi\n/,
    );
  });
  it("cacheValidTime: apt-get update first when the lists are older, not when they are fresh", () => {
    const a = apt({ names: ["ndppd"], cacheValidTime: 3600 });
    const [step] = a.resource.steps(a.resource.parse("", 0));
    // stand-ins on PATH: apt-cache knows every package, apt-get logs its command, stat gives the lists' age
    const bin = mkdtempSync(join(tmpdir(), "hcd-apt-"));
    const log = join(bin, "log");
    writeFileSync(join(bin, "apt-cache"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    writeFileSync(join(bin, "apt-get"), `#!/bin/sh\necho "$*" | cut -d' ' -f3 >> ${log}\n`, { mode: 0o755 });
    const run = (age: number) => {
      writeFileSync(join(bin, "stat"), `#!/bin/sh\necho $(( $(date +%s) - ${age} ))\n`, { mode: 0o755 });
      writeFileSync(log, "");
      execFileSync("sh", ["-c", step!.script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      return readFileSync(log, "utf8").trim().split("\n");
    };
    expect(run(7200)).toEqual(["update", "install"]);
    expect(run(60)).toEqual(["install"]);
    expect(() => apt({ names: ["x1"], cacheValidTime: -1 })).toThrow(/cacheValidTime/);
  });
  it("rejects names that are not Debian package names", () =>
    expect(() => apt({ names: ["ok", "bad name;rm"] })).toThrow(/not a Debian package name/));
});

describe("service", () => {
  const s = service({ name: "radvd", state: "running", enabled: true });
  it("parses systemd and SysV probes", () => {
    expect(parseServiceProbe("init systemd\nload loaded\nactive inactive\nenabled disabled\nreload no")).toEqual({
      init: "systemd",
      exists: true,
      active: false,
      enabled: false,
      needsReload: false,
    });
    expect(parseServiceProbe("init sysv\nload yes\nactive active\nenabled yes")).toMatchObject({
      init: "sysv",
      exists: true,
      active: true,
      enabled: true,
    });
  });
  it("enables and starts what is off, and nothing when on", () => {
    expect(
      s.resource
        .steps(s.resource.parse("init systemd\nload loaded\nactive inactive\nenabled disabled\nreload no", 0))
        .map((x) => x.why),
    ).toEqual(["enable radvd.service", "start radvd.service"]);
    expect(
      s.resource.steps(s.resource.parse("init systemd\nload loaded\nactive active\nenabled enabled\nreload no", 0)),
    ).toEqual([]);
  });
  it("uses init scripts on a host without systemd", () => {
    const steps = s.resource.steps(s.resource.parse("init sysv\nload yes\nactive inactive\nenabled no", 0));
    expect(steps.map((x) => x.script)).toEqual(["update-rc.d radvd enable", "/etc/init.d/radvd start"]);
  });
  it("refuses a unit that is not installed at plan time (check mode must not call it a change)", () => {
    expect(() =>
      s.resource.steps(s.resource.parse("init systemd\nload not-found\nactive inactive\nenabled \nreload no", 0)),
    ).toThrow(/no such service: radvd.service \(not installed\)/);
  });
  it("a unit that is not installed is already stopped and disabled: nothing to do", () => {
    const off = service({ name: "homecloud-proxy-ndp.service", state: "stopped", enabled: false });
    expect(
      off.resource.steps(off.resource.parse("init systemd\nload not-found\nactive inactive\nenabled \nreload no", 0)),
    ).toEqual([]);
  });
});

describe("sysctl", () => {
  const s = sysctl({ key: "net.ipv4.ip_forward", value: 1 });
  it("sets live and persists", () => {
    expect(s.resource.steps(s.resource.parse("live 0", 0)).map((x) => x.why)).toEqual([
      "persist net.ipv4.ip_forward in /etc/sysctl.d/90-homecloud-net.ipv4.ip_forward.conf",
      "net.ipv4.ip_forward: 0 -> 1",
    ]);
    expect(
      s.resource.steps(
        s.resource.parse("live 1\npersisted\n# managed by homecloud-deploy\nnet.ipv4.ip_forward = 1", 0),
      ),
    ).toEqual([]);
  });
  it("normalises whitespace of multi-value keys", () => {
    const m = sysctl({ key: "net.ipv4.tcp_rmem", value: "4096  87380\t6291456" });
    expect(
      m.resource.steps(
        m.resource.parse(
          "live 4096\t87380 6291456\npersisted\n# managed by homecloud-deploy\nnet.ipv4.tcp_rmem = 4096 87380 6291456",
          0,
        ),
      ),
    ).toEqual([]);
  });
});

describe("command", () => {
  it("runs when the guard says so, and re-tests the guard when it runs", () => {
    const c = command({ run: "make install", creates: "/usr/local/bin/x" });
    expect(c.resource.steps(c.resource.parse("skip", 0))).toEqual([]);
    const [step] = c.resource.steps(c.resource.parse("run", 0));
    expect(step!.script).toBe("if [ ! -e /usr/local/bin/x ]; then\nmake install\nfi");
  });
});

describe("template paths", () => {
  it("reads a relative path beside the playbook being compiled, a file: URL beside its module, an absolute path as it is", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-tpl-"));
    mkdirSync(join(dir, "templates"));
    writeFileSync(join(dir, "templates", "t.hbs"), "at {{where}}\n");
    const inv = parseInventory("all:\n  hosts:\n    a:\n", "i.yaml").inventory;
    /** What template() gives while the playbook's tasks are built by compile(). */
    const text = (playbookFile: string, path: string | URL, where: string) => {
      let out = "";
      const pb = definePlaybook({
        name: "t",
        plays: [
          {
            hosts: "all",
            tasks: () => {
              out = String(template(path, { where }).text);
              return [file({ path: "/etc/t", content: out })];
            },
          },
        ],
      });
      compile(pb, inv, {}, playbookFile);
      return out;
    };
    expect(text(join(dir, "pb.ts"), "templates/t.hbs", "playbook")).toContain("at playbook");
    expect(text("/nowhere/pb.ts", pathToFileURL(join(dir, "templates", "t.hbs")), "url")).toContain("at url");
    expect(text("/nowhere/pb.ts", join(dir, "templates", "t.hbs"), "abs")).toContain("at abs");
    // the base is the compiled playbook's directory, nothing left over from an earlier compile
    const inner = join(dir, "templates", "pb.ts");
    expect(() => text(inner, "templates/t.hbs", "x")).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ message: expect.stringMatching(/ENOENT/) })] }),
    );
    expect(() => template("templates/t.hbs", { where: "outside" })).toThrow(/ENOENT/);
  });
});

describe("resolvers", () => {
  const r = resolvers({ servers: ["2001:db8::53", "192.0.2.53", "192.0.2.54", "192.0.2.55"] })
    .resource as Resource<object>;
  it("leaves /etc/resolv.conf to systemd-resolved, resolvconf or NetworkManager, which carry the stack's DNS setting", () => {
    for (const m of ["systemd-resolved", "resolvconf", "NetworkManager"])
      expect(r.steps(r.parse(`manager ${m}\ntext\nnameserver 192.0.2.99\n`, 0))).toEqual([]);
  });
  it("writes it where nothing manages it: the first three resolvers (glibc reads no more); then nothing to do", () => {
    const steps = r.steps(r.parse("text\nnameserver 192.0.2.99\n", 0));
    expect(steps).toHaveLength(1);
    const after = steps[0]!.diff!.after as string;
    expect(after.split("\n").filter((l) => l.startsWith("nameserver"))).toEqual([
      "nameserver 2001:db8::53",
      "nameserver 192.0.2.53",
      "nameserver 192.0.2.54",
    ]);
    expect(r.steps(r.parse(`text\n${after}`, 0))).toEqual([]);
  });
  it("refuses what is not an address", () => {
    expect(() => resolvers({ servers: ["ns1.example.org"] })).toThrow(
      /"ns1.example.org" is not an IPv4 or IPv6 address/,
    );
  });
});
