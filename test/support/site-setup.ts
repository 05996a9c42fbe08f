// Brings up the site lab for the e2e tests (a fresh one), and takes it down after.
import { labDown, labUp } from "../../src/lab/lab.js";
import { siteTopology } from "../../site/lab-topology.js";

export async function setup(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("e2e tests need root: they boot the site lab in network namespaces");
  await labDown();
  await labUp(siteTopology());
}

export async function teardown(): Promise<void> {
  if (process.env.HCD_KEEP_LAB) return;
  await labDown();
}
