import type { CollectionTag, ScalarTag } from "yaml";
import { secretTags, vaultTag } from "./tags.js";

type Tag = ScalarTag | CollectionTag;

/**
 * YAML 1.1 as Ansible reads it (PyYAML's resolver), not as the YAML 1.1 spec has it: `y`, `Y`,
 * `n` and `N` stay strings (only yes/no/true/false/on/off are booleans), a float needs a dot
 * and a signed exponent (`1e3` and `1.5e3` stay strings, `1.5e+3` is 1500), and a date stays
 * the text it was written as. Octal `0755`, hex, binary and base-60 `1:30` are numbers in both.
 */
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?)$/;

const pyFloat: ScalarTag = {
  tag: "tag:yaml.org,2002:float",
  default: true,
  test: FLOAT,
  resolve: (s: string) => parseFloat(s.replace(/_/g, "")),
  stringify: ({ value }) => String(value),
};

export function ansibleTags(tags: Tag[]): Tag[] {
  const out: Tag[] = [];
  for (const t of tags) {
    const test = (t as ScalarTag).test;
    if (t.tag === "tag:yaml.org,2002:timestamp") continue;
    if (t.tag === "tag:yaml.org,2002:bool" && test)
      out.push({ ...(t as ScalarTag), test: test.test("true") ? TRUE : FALSE } as ScalarTag);
    else if (
      t.tag === "tag:yaml.org,2002:float" &&
      test &&
      !/nan|inf/i.test(test.source) &&
      !test.source.includes("[0-5]")
    ) {
      if (!out.includes(pyFloat)) out.push(pyFloat);
    } else out.push(t);
  }
  return [...out, ...secretTags, vaultTag];
}
