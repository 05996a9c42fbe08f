// The floor with the system's OpenSSH client: one `ssh HOST COMMAND` per host, in parallel, no
// master connection; the same command as bench/floor.mjs. The least a no-change run over
// OpenSSH can do: a login and one command per host.
// Usage: node bench/floor-openssh.mjs KNOWN_HOSTS HOST:PORT... (key from HCD_BENCH_KEY)
import { spawn } from "node:child_process";

const FILES =
  "/srv/bench/conf/app1.conf /srv/bench/conf/app2.conf /srv/bench/data/file1.txt /srv/bench/data/file2.txt /srv/bench/data/file3.txt /srv/bench/data/file4.txt /srv/bench/data/file5.txt /srv/bench/settings.ini";
const key = process.env.HCD_BENCH_KEY ?? "/var/lib/homecloud-lab/id_ed25519";
const [knownHosts, ...targets] = process.argv.slice(2);

/** @param {string} target */
function one(target) {
  const [host, port] = target.split(":");
  const args = ["-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes"];
  args.push("-o", "ControlPath=none", "-i", key, "-p", port, "-l", "root", "-T", host);
  args.push(`sha256sum ${FILES}; stat -c '%n %a' /srv/bench /srv/bench/conf /srv/bench/data`);
  return new Promise((resolve, reject) => {
    const c = spawn("ssh", args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    c.stdout.on("data", (d) => (out += d));
    c.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`ssh ${target}: exit ${code}`))));
  });
}

const outs = await Promise.all(targets.map(one));
process.stdout.write(`${outs.length} hosts, ${outs.reduce((n, o) => n + o.split("\n").length - 1, 0)} lines\n`);
