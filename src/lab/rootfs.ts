import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  readdirSync,
  lstatSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { labDir, labPaths } from "./paths.js";
import { sh, exists } from "./sh.js";

/** Units a lab host does not need (footprint), masked in its overlay. Nothing a role manages. */
const MASK = [
  "postgresql.service",
  "softether-vpnclient.service",
  "softether-vpnbridge.service",
  "getty@tty1.service",
  "console-getty.service",
  "apt-daily.timer",
  "apt-daily-upgrade.timer",
  "man-db.timer",
  "fstrim.timer",
  "e2scrub_all.timer",
  "e2scrub_reap.service",
  "dpkg-db-backup.timer",
  "systemd-timesyncd.service",
  "systemd-pstore.service",
  "systemd-networkd-wait-online.service",
];
/** Units the roles manage: disabled (not masked) so a fresh host has none of the site running. */
const DISABLE = [
  "radvd.service",
  "softether-vpnserver.service",
  "ndppd.service",
  "nftables.service",
  "strongswan.service",
  // network stacks: a lab host runs systemd-networkd only, unless a test or the site gives it another
  "NetworkManager.service",
  "NetworkManager-wait-online.service",
  "networking.service",
];

export function rootOf(host: string): string {
  return join(labPaths.host(host), "root");
}

export function isMounted(dir: string): boolean {
  return readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .some((l) => l.split(" ")[1] === dir);
}

/** Mount the host's overlay of / (writes stay in its upper dir). */
export function mountRoot(host: string): string {
  const base = labPaths.host(host);
  const root = rootOf(host);
  for (const d of ["upper", "work", "root"]) mkdirSync(join(base, d), { recursive: true });
  if (!isMounted(root)) {
    hideControllerFiles(join(base, "upper"));
    sh("mount", [
      "-t",
      "overlay",
      `hcd-${host}`,
      "-o",
      `lowerdir=/,upperdir=${base}/upper,workdir=${base}/work,redirect_dir=on`,
      root,
    ]);
  }
  return root;
}

/**
 * The lower layer is the controller's /, which holds what is the controller's alone: the lab's
 * own directory (its key, the inventory's secrets, the other hosts' upper dirs), the checkout
 * the lab runs from, home directories, temp files. A whiteout (a 0:0 character device in the
 * upper dir, overlayfs's mark for "deleted") hides a path inside every host; an opaque
 * directory (xattr trusted.overlay.opaque) shows only what the host itself wrote there, also of
 * files the controller makes later.
 */
function hideControllerFiles(upper: string): void {
  for (const path of [labDir(), checkoutRoot()]) {
    if (path === "/") continue;
    const mark = join(upper, path);
    if (existsSync(mark)) continue;
    mkdirSync(dirname(mark), { recursive: true });
    sh("mknod", [mark, "c", "0", "0"]);
  }
  for (const [path, mode] of PRIVATE_DIRS) {
    const dir = join(upper, path);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, mode);
    }
    sh("setfattr", ["-n", "trusted.overlay.opaque", "-v", "y", dir]);
  }
}

/** Directories a host sees empty but for what it writes itself, with their modes. */
const PRIVATE_DIRS: Array<[string, number]> = [
  ["/root", 0o700],
  ["/home", 0o755],
  ["/tmp", 0o1777],
  ["/var/tmp", 0o1777],
];

/** The checkout (or installed package) this code runs from: the folder holding its package.json. */
function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function unmountRoot(host: string): void {
  const root = rootOf(host);
  if (isMounted(root)) {
    if (!exists("umount", [root])) sh("umount", ["-l", root], { allowFail: true });
  }
}

function write(root: string, path: string, text: string, mode = 0o644): void {
  const p = join(root, path);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text, { mode });
}

function removeIfExists(p: string): void {
  try {
    lstatSync(p);
    unlinkSync(p);
  } catch {
    /* not there */
  }
}

/** Identity written before the first boot: hostname, machine-id, host key, SSH access. */
export function writeIdentity(host: string, root: string, publicKey: string): string {
  const firstBoot = !existsSync(join(labPaths.host(host), "identity"));
  if (firstBoot) {
    write(root, "etc/hostname", `${host}\n`);
    write(root, "etc/hosts", `127.0.0.1 localhost\n127.0.1.1 ${host}\n::1 localhost ip6-localhost ip6-loopback\n`);
    write(root, "etc/machine-id", randomBytes(16).toString("hex") + "\n", 0o444);
    for (const f of readdirSync(join(root, "etc/ssh")).filter((f) => f.startsWith("ssh_host_")))
      removeIfExists(join(root, "etc/ssh", f));
    sh("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      `root@${host}`,
      "-f",
      join(root, "etc/ssh/ssh_host_ed25519_key"),
    ]);
    write(
      root,
      "etc/ssh/sshd_config.d/homecloud-lab.conf",
      "PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\nMaxStartups 100:30:200\nMaxSessions 100\n",
    );
    write(root, "root/.ssh/authorized_keys", publicKey, 0o600);
    // A fresh root home: the machine's dotfiles (pyenv, nvm ...) would slow every SSH session.
    write(root, "root/.bashrc", "# lab host: plain root shell\n");
    write(root, "root/.profile", "# lab host: plain root profile\n");
    // Keep root's user manager running: otherwise every SSH session waits for logind to start it.
    write(root, "var/lib/systemd/linger/root", "");
    for (const u of MASK) {
      removeIfExists(join(root, "etc/systemd/system", u));
      symlinkSync("/dev/null", join(root, "etc/systemd/system", u));
    }
    for (const u of DISABLE) {
      for (const dir of ["multi-user.target.wants", "sysinit.target.wants", "network-online.target.wants"])
        removeIfExists(join(root, "etc/systemd/system", dir, u));
    }
    for (let rl = 0; rl <= 6; rl++) {
      const d = join(root, `etc/rc${rl}.d`);
      if (existsSync(d))
        for (const f of readdirSync(d).filter((f) => /^[SK]\d\d(ndppd|radvd|softether-vpnserver)$/.test(f)))
          removeIfExists(join(d, f));
    }
    writeFileSync(join(labPaths.host(host), "identity"), "written\n");
  }
  return readFileSync(join(root, "etc/ssh/ssh_host_ed25519_key.pub"), "utf8").trim();
}

/** The host's image (topology files and enabled units), before its first boot. */
export function writeImage(root: string, files: Record<string, string>, enable: string[]): void {
  for (const [path, text] of Object.entries(files))
    write(root, path.replace(/^\//, ""), text, /\.(yaml|nmconnection)$/.test(path) ? 0o600 : 0o644);
  for (const unit of enable) {
    const wants = join(root, "etc/systemd/system/multi-user.target.wants");
    mkdirSync(wants, { recursive: true });
    removeIfExists(join(wants, unit));
    symlinkSync(`/lib/systemd/system/${unit}`, join(wants, unit));
  }
}

export function removeHostDir(host: string): void {
  rmSync(labPaths.host(host), { recursive: true, force: true });
}

/** A cloud image's login (before the first boot): a sudo user (NOPASSWD) with the key, root login off. */
export function writeLogin(root: string, user: string, publicKey: string): void {
  sh("useradd", ["-R", root, "-m", "-s", "/bin/bash", "-G", "sudo", user]);
  const entry = readFileSync(join(root, "etc/passwd"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  const [uid, gid] = (entry ?? "").split(":").slice(2, 4).map(Number);
  if (uid === undefined || gid === undefined || Number.isNaN(uid)) throw new Error(`useradd did not add ${user}`);
  const ssh = join(root, "home", user, ".ssh");
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  writeFileSync(join(ssh, "authorized_keys"), publicKey, { mode: 0o600 });
  chownSync(ssh, uid, gid);
  chownSync(join(ssh, "authorized_keys"), uid, gid);
  // what cloud-init writes for the image's default user
  write(root, "etc/sudoers.d/90-cloud-init-users", `${user} ALL=(ALL) NOPASSWD:ALL\n`, 0o440);
  // read before homecloud-lab.conf (sshd keeps the first value): no root login at all
  write(root, "etc/ssh/sshd_config.d/10-cloud-image.conf", "PermitRootLogin no\n");
  write(root, `var/lib/systemd/linger/${user}`, "");
}
