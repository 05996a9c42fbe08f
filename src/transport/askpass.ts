import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import type { Secret } from "../secrets.js";
import { controlDir } from "./openssh.js";
import { quote } from "./quote.js";

/**
 * A login password for ssh, given the way ssh asks for one: SSH_ASKPASS names a program whose
 * output is the answer. Ours fetches it from a socket in a private directory, served only while
 * the login is under way and only once (a second prompt means the first answer was refused).
 * The password is in no file, no argv and no environment.
 */
export class AskPass {
  private server: Server;
  private dir: string;
  readonly env: NodeJS.ProcessEnv;
  private answered = 0;

  constructor(password: Secret) {
    this.dir = mkdtempSync(join(controlDir(), "askpass-"));
    const sock = join(this.dir, "sock");
    const program = join(this.dir, "askpass");
    const js = `require("net").connect(process.env.HCD_ASKPASS_SOCK).on("error",()=>process.exit(1)).pipe(process.stdout)`;
    writeFileSync(program, `#!/bin/sh\nexec ${quote(process.execPath)} -e ${quote(js)}\n`, { mode: 0o700 });
    this.server = createServer((c) => {
      if (this.answered++ === 0) c.end(`${password.reveal()}\n`);
      else c.end();
    });
    this.server.listen(sock);
    this.env = {
      ...process.env,
      SSH_ASKPASS: program,
      SSH_ASKPASS_REQUIRE: "force",
      HCD_ASKPASS_SOCK: sock,
    };
  }

  /** Stop answering, remove the socket and the program. */
  close(): void {
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
