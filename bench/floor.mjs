// The floor: a minimal client on ssh2 that does the least a no-change run can do. One
// connection per host, one command that reports every workload file by hash, in parallel.
// Plain JavaScript, so that Node runs it without a TypeScript loader (the floor is Node + ssh2).
// Usage: node bench/floor.mjs HOST:PORT... (key from HCD_BENCH_KEY)
import { readFileSync } from "node:fs";
import { Client } from "ssh2";

const FILES =
  "/srv/bench/conf/app1.conf /srv/bench/conf/app2.conf /srv/bench/data/file1.txt /srv/bench/data/file2.txt /srv/bench/data/file3.txt /srv/bench/data/file4.txt /srv/bench/data/file5.txt /srv/bench/settings.ini";
const key = readFileSync(process.env.HCD_BENCH_KEY ?? "/var/lib/homecloud-lab/id_ed25519");

/** @param {string} target */
function one(target) {
  const [host, port] = target.split(":");
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on("ready", () =>
      c.exec(`sha256sum ${FILES}; stat -c '%n %a' /srv/bench /srv/bench/conf /srv/bench/data`, (err, stream) => {
        if (err) return reject(err);
        let out = "";
        stream.on("data", (d) => (out += d));
        stream.on("close", () => {
          c.end();
          resolve(out);
        });
      }),
    );
    c.on("error", reject);
    c.connect({ host, port: Number(port), username: "root", privateKey: key, hostVerifier: () => true });
  });
}

const outs = await Promise.all(process.argv.slice(2).map(one));
process.stdout.write(`${outs.length} hosts, ${outs.reduce((n, o) => n + o.split("\n").length - 1, 0)} lines\n`);
