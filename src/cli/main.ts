import { HELP, SUB_HELP } from "./help.js";
import { InputError } from "../errors.js";

const wantsHelp = (argv: string[]) =>
  argv.length === 0 || argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help";
const wantsVersion = (argv: string[]) => argv[0] === "-V" || argv[0] === "--version";

/** `deploy SUB ... --help` (before a "--": lab exec's command may have its own), `deploy help SUB`. */
function subHelp(argv: string[]): string | undefined {
  const [sub, ...rest] = argv;
  if (sub === "help" && rest[0] !== undefined) {
    const text = SUB_HELP[rest[0]];
    if (text === undefined && rest[0] !== "run")
      throw new InputError([
        {
          field: "command line",
          message: `no command "${rest[0]}"`,
          hint: `deploy help ${Object.keys(SUB_HELP).join("|")}`,
        },
      ]);
    return text ?? HELP;
  }
  if (sub === undefined || SUB_HELP[sub] === undefined) return undefined;
  const own = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
  return own.some((a) => a === "-h" || a === "--help") ? SUB_HELP[sub] : undefined;
}

async function dispatch(argv: string[]): Promise<number> {
  const sub = subHelp(argv);
  if (sub !== undefined) {
    process.stdout.write(sub);
    return 0;
  }
  if (wantsHelp(argv)) {
    process.stdout.write(HELP);
    return argv.length === 0 ? 3 : 0;
  }
  if (wantsVersion(argv)) {
    const { createRequire } = await import("node:module");
    process.stdout.write(createRequire(import.meta.url)("../../../package.json").version + "\n");
    return 0;
  }
  if (argv[0] === "lab") return (await import("./lab.js")).labCommand(argv.slice(1));
  if (argv[0] === "plan") return (await import("./plan.js")).planCommand(argv.slice(1));
  if (argv[0] === "inventory") return (await import("./inventory.js")).inventoryCommand(argv.slice(1));
  if (argv[0] === "verify") return (await import("./verify.js")).verifyCommand(argv.slice(1));
  if (argv[0] === "vault") return (await import("./vault.js")).vaultCommand(argv.slice(1));
  if (argv[0] === "init") return (await import("./init.js")).initCommand(argv.slice(1));
  if (argv[0] === "completion") return (await import("./completion.js")).completionCommand(argv.slice(1));
  if (argv[0] === "__complete") return (await import("./complete-values.js")).completeValues(argv.slice(1));
  return (await import("./run.js")).runCommand(argv);
}

/** The whole command: its exit code; errors are printed for people (no stack trace unless -vvv). */
export async function cliMain(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (err) {
    const { formatError, isDeployError } = await import("../errors.js");
    const { forPerson } = await import("../output/sink.js");
    const verbose = argv.filter((a) => /^-v+$/.test(a)).reduce((n, a) => n + a.length - 1, 0);
    process.stderr.write(forPerson(formatError(err, verbose)) + "\n");
    return isDeployError(err) && err.kind === "input" ? 3 : 1;
  }
}
