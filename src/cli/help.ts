// Help texts, written from the command table (src/cli/commands.ts): `deploy --help`,
// `deploy SUB --help` and `deploy help SUB` can never disagree with what is parsed.
import type { CommandSpec } from "./command-spec.js";
import type { OptionSpec, OptionTable } from "./options.js";

const FLAG_COLUMN = 25;

/** "-i, --inventory SOURCE" */
export function flagsOf(name: string, o: OptionSpec): string {
  const value = o.arg ? `${o.joined ? "=" : " "}${o.arg}` : "";
  return `${o.short ? `-${o.short}, ` : "    "}--${name}${value}`;
}

/** One option's help lines: the flags in a column, the text beside, further lines under it. */
function optionLines(flags: string, help: string): string[] {
  const [first = "", ...rest] = help.split("\n");
  const head = flags.length <= FLAG_COLUMN ? `  ${flags.padEnd(FLAG_COLUMN)}  ${first}` : `  ${flags}  ${first}`;
  return [head, ...rest.map((l) => `${" ".repeat(FLAG_COLUMN + 4)}${l}`)];
}

export function optionsHelp(t: OptionTable, extra: Array<[string, string]> = []): string {
  return [
    ...Object.entries(t).flatMap(([name, o]) => optionLines(flagsOf(name, o), o.help)),
    ...extra.flatMap(([flags, help]) => optionLines(flags, help)),
  ].join("\n");
}

const FOOTER = `Colour: NO_COLOR=1 turns it off, FORCE_COLOR=1 on; TERM=dumb gets neither colour nor the live display.

Exit codes (bits, combined): 0 converged; 2 a task failed; 4 a host was unreachable;
8 (--check) something would change; 16 (verify) a check failed; 3 bad input, nothing was touched; 130 interrupted;
1 an internal error (a bug: -vvv shows the stack trace).
`;

/** `deploy --help`: every command's usage and summary, then the playbook run's options. */
export function mainHelp(commands: CommandSpec[]): string {
  const run = commands.find((c) => c.name === "");
  const usage = commands
    .filter((c) => !c.hidden)
    .flatMap((c) => {
      const [first = "", ...rest] = c.usage.map((u) => `deploy ${u}`);
      const head =
        first.length <= 38 ? `  ${first.padEnd(38)} ${c.summary}` : `  ${first}\n${" ".repeat(41)}${c.summary}`;
      return [head, ...rest.map((u) => `  ${u}`)];
    });
  return `deploy: converge hosts over SSH to what a typed playbook declares

Usage:
${usage.join("\n")}
  deploy help COMMAND                    one command's options (as deploy COMMAND --help)

Options:
${optionsHelp(run?.options ?? {}, [
  ["-h, --help", "this text; deploy COMMAND --help (or deploy help COMMAND) for one"],
  ["-V, --version", "the version"],
])}

${FOOTER}`;
}

/** `deploy SUB --help`. */
export function commandHelp(c: CommandSpec): string {
  const [first = "", ...rest] = c.usage;
  const lines = [`usage: deploy ${first}`, ...rest.map((u) => `       deploy ${u}`), ""];
  if (c.about) lines.push(c.about, "");
  lines.push(optionsHelp(c.options, [["-h, --help", "this text"]]), "");
  return lines.join("\n");
}
