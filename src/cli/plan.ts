import { DeployError } from "../errors.js";

export async function planCommand(_argv: string[]): Promise<number> {
  throw new DeployError("input", "deploy plan prints the site's address plan, which comes with the site roles (not in this version yet)");
}
