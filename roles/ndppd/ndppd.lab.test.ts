// ndppd's two modes, and switching between them on a real host: ndppd (the daemon, static rules)
// and the kernel's proxy_ndp (one proxy entry per address). Each switch leaves nothing of the
// other mode behind (unit, files, proxy entries, the sysctl); the kernel mode keeps exactly the
// listed entries. Check mode writes nothing; a second apply is 0 changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostContext } from "../../src/index.js";
import { apply, changedOf, failedOf, hostWrites, onHost } from "../../test/support/lab.js";
import { ndppd } from "./index.js";

const HOST = "h2";
const UP = "hcdup0";
const A = "2001:db8:77::10";
const B = "2001:db8:77::11";
type Params = Parameters<typeof ndppd>[0];

const ctx: HostContext = { name: HOST, vars: {}, groups: ["all"], warn: () => {}, optional: () => {} };
const role = (p: Params) => () => {
  const r = ndppd(p);
  return r.build(r.schema.parse(r.input), ctx);
};
const daemon = role({ uplink: UP, rules: [`${A}/128`] });
const kernel = (addresses: string[]) => role({ uplink: UP, mode: "kernel", addresses });

const entries = () =>
  onHost(HOST, `ip -6 neigh show proxy dev ${UP}`)
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" ")[0])
    .sort();
const active = (unit: string) => onHost(HOST, `systemctl is-active ${unit}; true`).trim();
const enabled = (unit: string) => onHost(HOST, `systemctl is-enabled ${unit} 2>/dev/null; true`).trim();
const exists = (path: string) => onHost(HOST, `test -e ${path} && echo yes || echo no`).trim() === "yes";
const proxyNdp = () => onHost(HOST, `sysctl -n net.ipv6.conf.${UP}.proxy_ndp`).trim();

async function converge(tasks: ReturnType<typeof role>) {
  const before = hostWrites(HOST);
  const check = await apply(HOST, tasks, { check: true });
  expect(failedOf(check)).toBe(0);
  expect(hostWrites(HOST)).toBe(before);
  const r = await apply(HOST, tasks);
  expect(failedOf(r), JSON.stringify(r.tasks.filter((t) => t.status === "failed"))).toBe(0);
  expect(changedOf(await apply(HOST, tasks))).toBe(0);
}

beforeAll(() => {
  onHost(HOST, `ip link add ${UP} type veth peer name hcdup1 2>/dev/null; ip link set ${UP} up; ip link set hcdup1 up`);
});
afterAll(() => {
  onHost(
    HOST,
    `systemctl disable --now ndppd homecloud-proxy-ndp.service 2>/dev/null; rm -f /etc/ndppd.conf /etc/systemd/system/homecloud-proxy-ndp.service /usr/local/lib/homecloud/proxy-ndp /etc/sysctl.d/90-homecloud-net.ipv6.conf.${UP}.proxy_ndp.conf; systemctl daemon-reload; ip link del ${UP} 2>/dev/null; true`,
  );
});

describe("ndppd: daemon and kernel mode, and switching between them", () => {
  it("daemon mode: ndppd runs with the rule", async () => {
    await converge(daemon);
    expect(active("ndppd")).toBe("active");
    expect(onHost(HOST, "cat /etc/ndppd.conf")).toContain(`rule ${A}/128`);
  }, 120_000);

  it("to kernel mode: ndppd stopped, disabled, its configuration gone; exactly the listed entries", async () => {
    await converge(kernel([A, B]));
    expect(active("ndppd")).not.toBe("active");
    expect(enabled("ndppd")).not.toBe("enabled");
    expect(exists("/etc/ndppd.conf")).toBe(false);
    expect(entries()).toEqual([A, B]);
    expect(proxyNdp()).toBe("1");
  }, 120_000);

  it("an address no longer listed loses its proxy entry", async () => {
    await converge(kernel([A]));
    expect(entries()).toEqual([A]);
  }, 120_000);

  it("back to daemon mode: the kernel mode's unit, script, entries and proxy_ndp are gone", async () => {
    await converge(daemon);
    expect(active("homecloud-proxy-ndp.service")).not.toBe("active");
    expect(exists("/etc/systemd/system/homecloud-proxy-ndp.service")).toBe(false);
    expect(exists("/usr/local/lib/homecloud/proxy-ndp")).toBe(false);
    expect(entries()).toEqual([]);
    expect(proxyNdp()).toBe("0");
    expect(active("ndppd")).toBe("active");
  }, 120_000);
});
