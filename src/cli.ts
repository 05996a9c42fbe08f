#!/usr/bin/env node
import { HELP } from "./cli/help.js";

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help") {
    process.stdout.write(HELP);
    return argv.length === 0 ? 3 : 0;
  }
  if (argv[0] === "-V" || argv[0] === "--version") {
    const { createRequire } = await import("node:module");
    process.stdout.write(createRequire(import.meta.url)("../../package.json").version + "\n");
    return 0;
  }
  if (argv[0] === "lab") return (await import("./cli/lab.js")).labCommand(argv.slice(1));
  if (argv[0] === "plan") return (await import("./cli/plan.js")).planCommand(argv.slice(1));
  return (await import("./cli/run.js")).runCommand(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err) => {
    const { formatError, isDeployError } = await import("./errors.js");
    const verbose = process.argv.filter((a) => /^-v+$/.test(a)).reduce((n, a) => n + a.length - 1, 0);
    process.stderr.write(formatError(err, verbose) + "\n");
    process.exit(isDeployError(err) && err.kind === "input" ? 3 : 1);
  },
);
