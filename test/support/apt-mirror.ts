// A Debian mirror inside the lab: one host serves .deb files over HTTP, another installs them
// with apt for real (lab hosts otherwise see every package of the machine already installed).
import { LAB_DEBS, packagesIndex } from "../../src/lab/apt-index.js";
import { labExec } from "../../src/lab/lab.js";
import { address, onHost } from "./lab.js";

/** Filled by scripts/setup.sh from scripts/lab-debs.txt. */
export const DEBS = LAB_DEBS;
const PORT = 8080;

/** Serve DEBS from `server` (a transient unit in that host); returns apt's source line. */
export function serveMirror(server: string): string {
  onHost(
    server,
    `systemctl stop hcd-mirror 2>/dev/null; rm -rf /srv/mirror; mkdir -p /srv/mirror && cp ${DEBS}/*.deb /srv/mirror/`,
  );
  labExec(server, ["sh", "-c", "cat > /srv/mirror/Packages"], { input: packagesIndex() });
  onHost(
    server,
    `systemd-run --quiet --unit=hcd-mirror --collect python3 -m http.server ${PORT} --bind ${address(server)} --directory /srv/mirror`,
  );
  return `deb [trusted=yes] http://${address(server)}:${PORT} ./`;
}

export function stopMirror(server: string): void {
  onHost(server, "systemctl stop hcd-mirror 2>/dev/null; rm -rf /srv/mirror; true");
}

/**
 * Make `host` a fresh install as far as these packages go: purged, with the mirror as its only
 * source and no package lists at all (as a cloud image before its first `apt-get update`).
 */
export function freshFromMirror(host: string, source: string, purge: string[]): void {
  onHost(
    host,
    [
      `DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ${purge.join(" ")} >/dev/null`,
      // the host's own sources and lists are put aside, for restoreApt (renames: cheap in the overlay)
      "rm -rf /var/tmp/hcd-apt && mkdir -p /var/tmp/hcd-apt",
      "for p in /etc/apt/sources.list /etc/apt/sources.list.d /var/lib/apt/lists; do if [ -e $p ]; then mv $p /var/tmp/hcd-apt/; fi; done",
      "mkdir -p /etc/apt/sources.list.d /var/lib/apt/lists/partial",
      `printf '%s\\n' '${source}' > /etc/apt/sources.list`,
      // the server listens before the test goes on
      `for i in $(seq 1 50); do apt-get update -q >/tmp/apt-update.log 2>&1 && break; sleep 0.2; done`,
      "grep -q '^Hit\\|^Get' /tmp/apt-update.log",
      "rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin",
      "! apt-cache show softether-vpnserver >/dev/null 2>&1",
    ].join(" && "),
  );
}

/** Put back the sources and lists freshFromMirror put aside: later tests on the host use apt too. */
export function restoreApt(host: string): void {
  onHost(
    host,
    [
      "[ -d /var/tmp/hcd-apt ] || exit 0",
      "rm -rf /etc/apt/sources.list /etc/apt/sources.list.d /var/lib/apt/lists",
      "for f in sources.list sources.list.d; do if [ -e /var/tmp/hcd-apt/$f ]; then mv /var/tmp/hcd-apt/$f /etc/apt/; fi; done",
      "if [ -e /var/tmp/hcd-apt/lists ]; then mv /var/tmp/hcd-apt/lists /var/lib/apt/; fi",
      "rm -rf /var/tmp/hcd-apt /var/cache/apt/*.bin",
    ].join("\n"),
  );
}
