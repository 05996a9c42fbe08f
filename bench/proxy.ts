// A user-space TCP latency proxy (the kernel here has no netem): one local port per host,
// forwarding to the host's sshd; every chunk is delayed by half the RTT in each direction, in
// order. It counts connections and request/response turns (a turn: the direction of traffic
// changes from client->server to server->client).
import { createServer, connect, type Server, type Socket } from "node:net";

export interface ProxyStats {
  connections: number;
  turns: number;
}

export class LatencyProxy {
  readonly stats: ProxyStats = { connections: 0, turns: 0 };
  private server?: Server;
  private sockets = new Set<Socket>();
  port = 0;

  constructor(
    private target: { host: string; port: number },
    private rttMs: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      this.stats.connections++;
      const upstream = connect(this.target);
      this.sockets.add(client).add(upstream);
      let last: "up" | "down" | undefined;
      const pipe = (from: Socket, to: Socket, dir: "up" | "down") => {
        from.on("data", (chunk) => {
          if (dir === "down" && last === "up") this.stats.turns++;
          last = dir;
          const send = () => to.writable && to.write(chunk);
          if (this.rttMs > 0) setTimeout(send, this.rttMs / 2);
          else send();
        });
        from.on("end", () => setTimeout(() => to.end(), this.rttMs / 2));
        from.on("error", () => to.destroy());
        from.on("close", () => this.sockets.delete(from));
      };
      pipe(client, upstream, "up");
      pipe(upstream, client, "down");
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  reset(): void {
    this.stats.connections = 0;
    this.stats.turns = 0;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
