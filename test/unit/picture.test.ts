// The picture of the site (deploy plan --html, deploy verify --html), rendered by headless
// Chromium (Debian's chromium): it loads without a console error, every host and hop is there
// with its state, and a broken hop is drawn red (its pixels, in Chromium's own screenshot).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseInventory } from "../../src/inventory/load.js";
import { siteFromInventory } from "../../site/plan/index.js";
import { renderSketch, type SketchCheck } from "../../src/output/sketch.js";
import { sitePicture } from "../../site/picture.js";
import { decodePng } from "../support/png.js";

const dir = mkdtempSync(join(tmpdir(), "hcd-picture-"));
const INVENTORY = `all:
  vars:
    site:
      vps_prefix: 2001:db8:0:8964::/64
      uplink_interface: enp1s0
      uplink_address: 2001:db8:0:8964::2
      home_prefix: 2001:db8:0:8964:8964::/78
      hub: VPN
      tap_host_index: 1
      tap_ipv4: 10.89.64.1/24
      dns: [2001:db8:ffff::53]
  children:
    vps: { hosts: { vps: {} } }
    homegw: { hosts: { homegw: {} } }
    vms:
      hosts:
        vm1: { home_host_index: 16, home_ipv4: 10.89.64.10, firewall_open: [tcp/22] }
        vm2: { home_host_index: 17, firewall_open: [tcp/22, tcp/443] }
`;
const plan = siteFromInventory(parseInventory(INVENTORY, join(dir, "inventory.yaml")).inventory);

/** Chromium's view of a page: its DOM after load, what it logged, and a screenshot. */
function chromium(html: string, name: string) {
  const page = join(dir, `${name}.html`);
  const png = join(dir, `${name}.png`);
  writeFileSync(page, html);
  const flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr"];
  const dom = spawnSync("chromium", [...flags, "--dump-dom", `file://${page}`], { encoding: "utf8", timeout: 60_000 });
  expect(dom.status, dom.stderr).toBe(0);
  const shot = spawnSync("chromium", [...flags, "--window-size=1900,800", `--screenshot=${png}`, `file://${page}`], {
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(shot.status, shot.stderr).toBe(0);
  return { dom: dom.stdout, log: dom.stderr + shot.stderr, image: decodePng(readFileSync(png)) };
}

/** Pixels of this colour (within a small tolerance for anti-aliasing) in the screenshot. */
function count(image: ReturnType<typeof decodePng>, rgb: [number, number, number]): number {
  let n = 0;
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = image.pixel(x, y);
      if (Math.abs(r! - rgb[0]) < 12 && Math.abs(g! - rgb[1]) < 12 && Math.abs(b! - rgb[2]) < 12) n++;
    }
  return n;
}
const RED: [number, number, number] = [0xc6, 0x28, 0x28];
const GREEN: [number, number, number] = [0x2e, 0x7d, 0x32];

const states = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/class="node [^"]*" data-id="([^"]+)" data-state="([^"]+)"/g)].map((m) => [m[1], m[2]]),
  );

describe("the picture of the site, in headless Chromium", () => {
  it("deploy plan --html: every host with its addresses, nothing coloured by a state", () => {
    const { dom, log, image } = chromium(renderSketch(sitePicture(plan)), "plan");
    expect(log).not.toMatch(/CONSOLE|Uncaught|ERR_FILE_NOT_FOUND|net::ERR/);
    expect(states(dom)).toEqual({
      internet: "plan",
      provider: "plan",
      vps: "plan",
      tunnel: "plan",
      homegw: "plan",
      vm1: "plan",
      vm2: "plan",
    });
    expect(dom).toContain("2001:db8:0:8964:8964::10/78");
    expect(dom).toContain("open: tcp/22 tcp/443");
    expect(count(image, RED)).toBe(0);
  }, 120_000);

  it("deploy verify --html: passing hops green, the failing one red with its check, what it blocks marked", () => {
    const ok = (hop: string, host: string): SketchCheck => ({ hop, host, title: `${hop} ok`, status: "pass" });
    const checks: SketchCheck[] = [
      ...["uplink", "host-firewall", "softether", "tap", "radvd", "ndp", "firewall"].map((h) => ok(h, "vps")),
      ok("cascade", "vps"),
      { hop: "cascade", host: "homegw", title: "the cascade is Established", status: "fail", evidence: "Offline <&>" },
      ...["vm1", "vm2"].flatMap((vm) => [
        ok("vm", vm),
        { hop: "reach", host: vm, title: `${vm} reaches the tap`, status: "skip" as const, blockedBy: "cascade" },
      ]),
    ];
    const { dom, log, image } = chromium(renderSketch(sitePicture(plan), checks), "verify");
    expect(log).not.toMatch(/CONSOLE|Uncaught|net::ERR/);
    expect(states(dom)).toMatchObject({ vps: "pass", tunnel: "fail", homegw: "fail", vm1: "blocked", vm2: "blocked" });
    expect(dom).toContain("homegw: the cascade is Established");
    expect(dom).toContain("Offline &lt;&amp;&gt;"); // evidence escaped, shown in the table
    expect(count(image, RED)).toBeGreaterThan(200);
    expect(count(image, GREEN)).toBeGreaterThan(200);
  }, 120_000);
});
