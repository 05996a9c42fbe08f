import { type CommandSpec, LIBRARY_COMMANDS } from "./commands.js";
import { commandHelp, mainHelp } from "./help.js";
import { InputError } from "../errors.js";

const wantsHelp = (argv: string[]) =>
  argv.length === 0 || argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help";
const wantsVersion = (argv: string[]) => argv[0] === "-V" || argv[0] === "--version";

/** `deploy SUB ... --help` (before a "--": lab exec's command may have its own), `deploy help SUB`. */
function subHelp(argv: string[], commands: CommandSpec[]): string | undefined {
  const [sub, ...rest] = argv;
  const named = (name: string | undefined) => commands.find((c) => c.name !== "" && !c.hidden && c.name === name);
  if (sub === "help" && rest[0] !== undefined) {
    const c = named(rest[0]);
    if (c === undefined && rest[0] !== "run")
      throw new InputError([
        {
          field: "command line",
          message: `no command "${rest[0]}"`,
          hint: `deploy help ${commands
            .filter((x) => x.name && !x.hidden)
            .map((x) => x.name)
            .join("|")}`,
        },
      ]);
    return c ? commandHelp(c) : mainHelp(commands);
  }
  const c = named(sub);
  if (c === undefined) return undefined;
  const own = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
  return own.some((a) => a === "-h" || a === "--help") ? commandHelp(c) : undefined;
}

async function dispatch(argv: string[], commands: CommandSpec[]): Promise<number> {
  const sub = subHelp(argv, commands);
  if (sub !== undefined) {
    process.stdout.write(sub);
    return 0;
  }
  if (wantsHelp(argv)) {
    process.stdout.write(mainHelp(commands));
    return argv.length === 0 ? 3 : 0;
  }
  if (wantsVersion(argv)) {
    const { createRequire } = await import("node:module");
    process.stdout.write(createRequire(import.meta.url)("../../../package.json").version + "\n");
    return 0;
  }
  const c = commands.find((x) => x.name !== "" && x.name === argv[0]);
  if (c) return c.run(argv.slice(1), commands);
  const run = commands.find((x) => x.name === "");
  if (!run) throw new InputError([{ field: "command line", message: `no command "${argv[0]}"` }]);
  return run.run(argv, commands);
}

/**
 * The whole command: its exit code; errors are printed for people (no stack trace unless -vvv).
 * `commands`: the library's table, or one with more commands (the site adds init and its lab).
 */
export async function cliMain(argv: string[], commands: CommandSpec[] = LIBRARY_COMMANDS): Promise<number> {
  try {
    return await dispatch(argv, commands);
  } catch (err) {
    const { formatError, isDeployError } = await import("../errors.js");
    const { forPerson } = await import("../output/sink.js");
    const verbose = argv.filter((a) => /^-v+$/.test(a)).reduce((n, a) => n + a.length - 1, 0);
    process.stderr.write(forPerson(formatError(err, verbose)) + "\n");
    return isDeployError(err) && err.kind === "input" ? 3 : 1;
  }
}
