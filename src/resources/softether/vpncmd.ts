import { quote } from "../../transport/quote.js";
import { makeTemp, tempTrap } from "../../transport/remote-temp.js";

/**
 * Shell that runs vpncmd commands on the host itself, keeping every secret out of argv:
 * the commands (which carry passwords) go to a 0600 file given with /IN, the admin
 * password to vpncmd's password prompt on stdin (with /PROGRAMMING vpncmd would want it
 * in argv). The file is removed when the fragment ends.
 */
export function vpncmdScript(commands: string[], adminPassword: string, port: number, outVar = "out"): string {
  return [tempTrap(["f", "o"]), makeTemp("f"), makeTemp("o"), vpncmdRun(commands, adminPassword, port, outVar)].join(
    "\n",
  );
}

/**
 * The commands into the temp file `$f`, then vpncmd reading them, its output into `$o` (both
 * made by the caller, once). A refused password makes vpncmd ask again for ever (its stdin at an
 * end): it is stopped as soon as it says so, instead of waiting for the time-out.
 */
function vpncmdRun(commands: string[], adminPassword: string, port: number, outVar = "out"): string {
  if (adminPassword.includes("\n") || commands.some((c) => c.includes("\n")))
    throw new Error("vpncmd arguments must not contain newlines");
  return [
    `cat > "$f" <<'HCD_VPNCMD'`,
    ...commands,
    `HCD_VPNCMD`,
    `timeout 60 vpncmd ${quote(`localhost:${port}`)} /SERVER /CSV /IN:"$f" >"$o" 2>&1 <<'HCD_PW' &`,
    adminPassword,
    `HCD_PW`,
    `hcd_vpncmd=$!`,
    `while kill -0 "$hcd_vpncmd" 2>/dev/null; do`,
    `  if grep -q "Access has been denied" "$o"; then kill "$hcd_vpncmd" 2>/dev/null; break; fi`,
    `  sleep 0.1`,
    `done`,
    `wait "$hcd_vpncmd" 2>/dev/null`,
    `${outVar}=$(cat "$o")`,
  ].join("\n");
}

/**
 * Probe: wait for the server, then print `state ok` and its configuration (or why not). When the
 * server refuses `adminPassword` and earlier passwords are given (a rotation), each is tried in
 * turn: `login N` says which one got in (0: the current one), for the apply to log in with it.
 */
export function configProbe(adminPassword: string, port: number, previous: string[] = []): string {
  const tries = [adminPassword, ...previous];
  return [
    `if ! command -v vpncmd >/dev/null 2>&1; then echo "state absent"; exit 0; fi`,
    // a restart under way (a watchdog's, vpnserver stops in 9-25 s) is waited out, up to 60 s
    `if [ -d /run/systemd/system ]; then`,
    `  i=0`,
    `  while [ $i -lt 120 ]; do`,
    // on the way (activating, deactivating), or between a restart's stop and its start (a job queued)
    `    case "$(systemctl is-active softether-vpnserver)" in`,
    `      activating|deactivating|reloading) ;;`,
    `      *) [ -z "$(systemctl list-jobs --no-legend softether-vpnserver.service 2>/dev/null)" ] && break ;;`,
    `    esac`,
    `    i=$((i+1))`,
    `    sleep 0.5`,
    `  done`,
    `  if ! systemctl is-active -q softether-vpnserver; then echo "state stopped"; exit 0; fi`,
    `fi`,
    // one pair of temp files for every try: new ones per try would leave all but the last behind
    tempTrap(["f", "o"]),
    makeTemp("f"),
    makeTemp("o"),
    `login=0`,
    ...tries.flatMap((pw, n) => [
      ...(n === 0 ? [] : [`case "$out" in *"Access has been denied"*) login=${n}`]),
      `i=0`,
      `while :; do`,
      vpncmdRun(["ConfigGet"], pw, port), // not indented: it holds here-documents
      `  case "$out" in *"Error code: 1)"*|*"Error code: 2)"*) ;; *) break ;; esac`,
      `  i=$((i+1)); [ $i -ge 20 ] && break; sleep 0.5`,
      `done`,
      ...(n === 0 ? [] : [`;; esac`]),
    ]),
    `case "$out" in`,
    `  *"Access has been denied"*) echo "state denied" ;;`,
    `  *"Error code: 1)"*|*"Error code: 2)"*) echo "state unreachable" ;;`,
    `  *"declare root"*) echo "state ok"; echo "login $login"; printf '%s\\n' "$out" ;;`,
    `  *) echo "state error"; printf '%s\\n' "$out" | grep -v -e '^[[:space:]]*byte ' | tail -5 ;;`,
    `esac`,
  ].join("\n");
}

/**
 * Apply: run the commands; fail with vpncmd's output when any of them reported an error.
 * `before` writes files the commands load (certificates, not secrets), removed afterwards.
 */
export function applyScript(
  commands: string[],
  adminPassword: string,
  port: number,
  before: string[] = [],
  remove: string[] = [],
): string {
  return [
    ...before,
    // Flush last: vpnserver writes its configuration file only every AutoSaveConfigSpan (300 s)
    // and at a clean stop (Cedar/Server.c, SiSaverThread); a restart that is not clean (the
    // cascade watchdog's at a drop, a crash, a power cut) would bring back the file's older
    // configuration, and with it a cascade, hub or password this run had changed
    vpncmdScript([...commands, "Flush"], adminPassword, port),
    ...(remove.length ? [`rm -f ${remove.map(quote).join(" ")}`] : []),
    `case "$out" in`,
    `  *"Error occurred"*|*"Access has been denied"*|*"Command not found"*)`,
    `    printf '%s\\n' "$out" | grep -v -e '^Password:' -e '^[[:space:]]*byte ' | tail -20`,
    "    exit 1 ;;",
    "esac",
  ].join("\n");
}
