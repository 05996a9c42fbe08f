import { InputError } from "../errors.js";
import { HELP, SUB_HELP } from "./help.js";

/**
 * Shell completion, from the help texts (the one place each option is described): subcommands,
 * each subcommand's options, and from the project itself the inventory's hosts and groups
 * (after --limit) and the playbook's tags (after --tags): `deploy __complete hosts|tags ...`.
 */

/** The options a help text lists (its indented lines that begin with a dash). */
export function optionsIn(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split("\n")) {
    if (!/^\s+-/.test(line)) continue;
    // the option column ends at two spaces before the description
    const column = line.trim().split(/\s{2,}/)[0] ?? "";
    for (const m of column.matchAll(/(?:^|[\s,])(--[a-z][a-z-]*|-[A-Za-z])(?=[\s,=]|$)/g)) out.add(m[1]!);
  }
  return [...out];
}

export const SUBCOMMANDS = [...Object.keys(SUB_HELP), "help", "completion"];

function table(): Record<string, string[]> {
  const t: Record<string, string[]> = { "": optionsIn(HELP.slice(HELP.indexOf("Options:"))) };
  for (const [sub, text] of Object.entries(SUB_HELP)) t[sub] = optionsIn(text);
  return t;
}

/** Options after which a file name comes. */
const FILE_OPTIONS = [
  "-i",
  "--inventory",
  "--log",
  "--html",
  "--private-key",
  "--vault-password-file",
  "-e",
  "--extra-vars",
];

function bash(): string {
  const cases = Object.entries(table())
    .map(([sub, opts]) => `    ${sub === "" ? "*" : sub}) opts="${opts.join(" ")}" ;;`)
    // the playbook run (no subcommand) last: it is the default
    .sort((a, b) => (a.startsWith("    *") ? 1 : b.startsWith("    *") ? -1 : 0))
    .join("\n");
  return `# deploy completion for bash: eval "$(deploy completion bash)" (or save it in ~/.local/share/bash-completion/completions/deploy)
_deploy() {
  local cur prev sub opts i playbook
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  sub="\${COMP_WORDS[1]}"
  case "$prev" in
    -l|--limit)
      COMPREPLY=($(compgen -W "$(deploy __complete hosts "\${COMP_WORDS[@]:1}" 2>/dev/null)" -- "$cur")); return ;;
    -t|--tags|--skip-tags)
      playbook=""
      for i in "\${COMP_WORDS[@]:1}"; do case "$i" in *.ts|*.js|*.mjs) playbook="$i" ;; esac; done
      COMPREPLY=($(compgen -W "$(deploy __complete tags "$playbook" "\${COMP_WORDS[@]:1}" 2>/dev/null)" -- "$cur")); return ;;
    ${FILE_OPTIONS.join("|")})
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${SUBCOMMANDS.join(" ")}" -- "$cur") $(compgen -f -X '!*.@(ts|js|mjs)' -- "$cur") $(compgen -d -- "$cur"))
    return
  fi
  case "$sub" in
${cases}
  esac
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}
complete -F _deploy deploy
`;
}

function zsh(): string {
  return `# deploy completion for zsh: eval "$(deploy completion zsh)" (the bash completion, through bashcompinit)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash()}`;
}

function fish(): string {
  const lines = [
    "# deploy completion for fish: deploy completion fish > ~/.config/fish/completions/deploy.fish",
    "complete -c deploy -f",
    `complete -c deploy -n __fish_use_subcommand -a "${SUBCOMMANDS.join(" ")}"`,
    "complete -c deploy -n __fish_use_subcommand -F",
    `complete -c deploy -s l -l limit -x -a "(deploy __complete hosts (commandline -opc)[2..-1] 2>/dev/null)"`,
  ];
  for (const [sub, opts] of Object.entries(table())) {
    const cond =
      sub === ""
        ? `not __fish_seen_subcommand_from ${Object.keys(SUB_HELP).join(" ")}`
        : `__fish_seen_subcommand_from ${sub}`;
    for (const o of opts) {
      if (o === "-l" || o === "--limit") continue;
      const flag = o.startsWith("--") ? `-l ${o.slice(2)}` : `-s ${o.slice(1)}`;
      lines.push(`complete -c deploy -n "${cond}" ${flag}${FILE_OPTIONS.includes(o) ? " -r -F" : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** `deploy completion bash|zsh|fish`. */
export function completionCommand(argv: string[]): number {
  const shells: Record<string, () => string> = { bash, zsh, fish };
  const make = shells[argv[0] ?? ""];
  if (!make || argv.length !== 1)
    throw new InputError([{ field: "command line", message: "usage: deploy completion bash|zsh|fish" }]);
  process.stdout.write(make());
  return 0;
}
