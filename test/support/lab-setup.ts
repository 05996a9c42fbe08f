// Brings up the plain lab the integration tests run against, and takes it down after.
import { labDown, labUp } from "../../src/lab/lab.js";
import { plainTopology } from "../../src/lab/topology.js";

export const LAB_HOSTS = 4;

export async function setup(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error(
      "integration tests need root: they boot lab hosts in network namespaces (run .ci/run or npm test as root)",
    );
  await labDown();
  await labUp(plainTopology(LAB_HOSTS));
}

export async function teardown(): Promise<void> {
  if (process.env.HCD_KEEP_LAB) return;
  await labDown();
}
