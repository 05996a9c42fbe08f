// Promise 9, generated inputs: the inventory parser, target resolution and the address plan
// never crash; they give a valid result or problems with a message.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseInventory } from "../../src/inventory/load.js";
import { resolveTargets } from "../../src/inventory/connection.js";
import { sitePlan } from "../../site/plan/site-plan.js";
import { stringify } from "yaml";

const word = fc.stringMatching(/^[a-z0-9_:./\- [\]{}'"*&!#|>@`%]{0,12}$/);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    word,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(word, tie("v"), { maxKeys: 3 }),
  ),
})).v;
const groupish = fc.dictionary(
  fc.oneof(fc.constantFrom("all", "web", "vps", "vms", "h1"), word),
  fc.oneof(
    value,
    fc.record(
      {
        hosts: fc.dictionary(
          word,
          fc.oneof(
            fc.constant(null),
            fc.dictionary(
              fc.constantFrom(
                "ansible_host",
                "ansible_port",
                "ansible_user",
                "ansible_become",
                "deploy_jump",
                "ansible_connection",
                "x",
              ),
              value,
            ),
          ),
        ),
        vars: value,
        children: value,
      },
      { requiredKeys: [] },
    ),
  ),
  { maxKeys: 4 },
);

function checkProblems(ps: Array<{ message: string }>) {
  for (const p of ps) expect(typeof p.message === "string" && p.message.length > 0).toBe(true);
}

describe("fuzzing", () => {
  it("the inventory parser, on random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const { problems } = parseInventory(text, "fuzz.yaml");
        checkProblems(problems);
      }),
      { numRuns: 800 },
    );
  });

  it("the inventory parser and target resolution, on random YAML structures", () => {
    fc.assert(
      fc.property(groupish, (doc) => {
        const text = stringify(doc);
        const { inventory, problems } = parseInventory(text, "fuzz.yaml");
        checkProblems(problems);
        if (!problems.length) {
          const r = resolveTargets(inventory, [...inventory.hosts.keys()]);
          checkProblems(r.problems);
          if (!r.problems.length) for (const t of r.targets.values()) expect(t.port >= 1 && t.port <= 65535).toBe(true);
        }
      }),
      { numRuns: 600 },
    );
  });

  it("the address plan, on random and near-valid inputs", () => {
    const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const prefix = fc.oneof(
      word,
      fc.tuple(hex, hex, fc.integer({ min: 0, max: 140 })).map(([a, b, l]) => `2001:db8:0:8964:${a}:${b}::/${l}`),
    );
    const v4 = fc
      .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 }))
      .map(([h, l]) => `10.89.64.${h}/${l}`);
    const input = fc.record({
      vpsPrefix: fc.oneof(prefix, fc.constant("2001:db8:0:8964::/64")),
      uplinkInterface: fc.oneof(word, fc.constant("enp1s0")),
      uplinkAddress: fc.oneof(word, fc.constant("2001:db8:0:8964::2")),
      homePrefix: fc.oneof(prefix, fc.constant("2001:db8:0:8964:8964::/78")),
      hub: fc.oneof(word, fc.constant("VPN")),
      tapHostIndex: fc.option(fc.integer({ min: -5, max: 2 ** 40 }), { nil: undefined }),
      tapIpv4: fc.oneof(v4, word),
      dns: fc.option(fc.array(word, { maxLength: 2 }), { nil: undefined }),
      vms: fc.array(
        fc.record({
          name: fc.constantFrom("vm1", "vm2", "vm3"),
          hostIndex: fc.option(fc.integer({ min: -2, max: 2 ** 53 }), { nil: undefined }),
          address: fc.option(word, { nil: undefined }),
          ipv4: fc.option(
            fc.oneof(
              word,
              fc.integer({ min: 0, max: 300 }).map((n) => `10.89.64.${n}`),
            ),
            { nil: undefined },
          ),
          open: fc.option(fc.array(fc.oneof(word, fc.constantFrom("tcp/22", "udp/0", "tcp/65536")), { maxLength: 3 }), {
            nil: undefined,
          }),
        }),
        { maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(input, (i) => {
        const { plan, problems } = sitePlan(i as never);
        checkProblems(problems);
        expect(!!plan !== problems.length > 0).toBe(true);
        if (plan) {
          const all = [plan.tap.address6, ...plan.vms.map((v) => v.address6)];
          expect(new Set(all).size).toBe(all.length);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
