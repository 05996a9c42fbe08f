import type { OptionTable } from "./options.js";

/** One subcommand of deploy, as the command table declares it (src/cli/commands.ts). */
export interface CommandSpec {
  /** The word after `deploy`; "" is the playbook run (`deploy PLAYBOOK.ts`). */
  name: string;
  /** Usage lines, each after "deploy "; the first is shown in `deploy --help` beside the summary. */
  usage: string[];
  summary: string;
  /** The paragraph of `deploy NAME --help`. */
  about?: string;
  options: OptionTable;
  /** Not listed in help (the completion's helper). */
  hidden?: boolean;
  /** Everything after `--` is the command's own (lab exec's command): never read as options. */
  passThrough?: boolean;
  /** `all`: the whole table this command runs in (completion describes it). */
  run(argv: string[], all: CommandSpec[]): Promise<number>;
}
