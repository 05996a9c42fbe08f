import { InputError } from "../errors.js";
import type { CommandSpec } from "./command-spec.js";

/**
 * Shell completion, from the command table (the one place each option is declared): subcommands,
 * each subcommand's options, and from the project itself the inventory's hosts and groups
 * (after --limit) and the playbook's tags (after --tags): `deploy __complete hosts|tags ...`.
 */

/** Each command's flags ("" is the playbook run), and the flags after which a file, host or tag comes. */
export function completionTable(commands: CommandSpec[]) {
  const shown = commands.filter((c) => !c.hidden);
  const flags: Record<string, string[]> = {};
  const after = { file: new Set<string>(), hosts: new Set<string>(), tags: new Set<string>() };
  for (const c of shown) {
    const own: string[] = [];
    for (const [name, o] of Object.entries(c.options)) {
      const words = [...(o.short ? [`-${o.short}`] : []), `--${name}`];
      own.push(...words);
      if (o.complete) for (const w of words) after[o.complete].add(w);
    }
    flags[c.name] = [...own, "-h", "--help"];
  }
  return { flags, after, subcommands: [...shown.filter((c) => c.name).map((c) => c.name), "help"] };
}

function bash(commands: CommandSpec[]): string {
  const { flags, after, subcommands } = completionTable(commands);
  const alt = (set: Set<string>) => [...set].join("|");
  const cases = Object.entries(flags)
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
    ${alt(after.hosts)})
      COMPREPLY=($(compgen -W "$(deploy __complete hosts "\${COMP_WORDS[@]:1}" 2>/dev/null)" -- "$cur")); return ;;
    ${alt(after.tags)})
      playbook=""
      for i in "\${COMP_WORDS[@]:1}"; do case "$i" in *.ts|*.js|*.mjs) playbook="$i" ;; esac; done
      COMPREPLY=($(compgen -W "$(deploy __complete tags "$playbook" "\${COMP_WORDS[@]:1}" 2>/dev/null)" -- "$cur")); return ;;
    ${alt(after.file)})
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${subcommands.join(" ")}" -- "$cur") $(compgen -f -X '!*.@(ts|js|mjs)' -- "$cur") $(compgen -d -- "$cur"))
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

function zsh(commands: CommandSpec[]): string {
  return `# deploy completion for zsh: eval "$(deploy completion zsh)" (the bash completion, through bashcompinit)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(commands)}`;
}

function fish(commands: CommandSpec[]): string {
  const { flags, after, subcommands } = completionTable(commands);
  const named = subcommands.filter((c) => c !== "help");
  const lines = [
    "# deploy completion for fish: deploy completion fish > ~/.config/fish/completions/deploy.fish",
    "complete -c deploy -f",
    `complete -c deploy -n __fish_use_subcommand -a "${subcommands.join(" ")}"`,
    "complete -c deploy -n __fish_use_subcommand -F",
  ];
  for (const [sub, opts] of Object.entries(flags)) {
    const cond =
      sub === "" ? `not __fish_seen_subcommand_from ${named.join(" ")}` : `__fish_seen_subcommand_from ${sub}`;
    for (const o of opts) {
      const flag = o.startsWith("--") ? `-l ${o.slice(2)}` : `-s ${o.slice(1)}`;
      const value = after.hosts.has(o)
        ? ' -x -a "(deploy __complete hosts (commandline -opc)[2..-1] 2>/dev/null)"'
        : after.file.has(o)
          ? " -r -F"
          : "";
      lines.push(`complete -c deploy -n "${cond}" ${flag}${value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** `deploy completion bash|zsh|fish`. */
export function completionCommand(argv: string[], commands: CommandSpec[]): number {
  const shells: Record<string, (c: CommandSpec[]) => string> = { bash, zsh, fish };
  const make = shells[argv[0] ?? ""];
  if (!make || argv.length !== 1)
    throw new InputError([{ field: "command line", message: "usage: deploy completion bash|zsh|fish" }]);
  process.stdout.write(make(commands));
  return 0;
}
