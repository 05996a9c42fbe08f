import type { Problem } from "../errors.js";
import { Secret } from "../secrets.js";

/**
 * Ask on the terminal without echo; the answer is a Secret from the moment it is typed. No
 * terminal is a refusal (a problem naming the option), not a hang. Ctrl-C exits 130.
 */
export async function askHidden(
  question: string,
  problems: Problem[],
  noTerminal: { field: string; message: string; hint: string; label: string },
): Promise<Secret> {
  if (!process.stdin.isTTY) {
    problems.push({ field: noTerminal.field, message: noTerminal.message, hint: noTerminal.hint });
    return new Secret("", noTerminal.label);
  }
  process.stderr.write(question);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  const answer = await new Promise<string>((resolve) => {
    let text = "";
    const onData = (d: Buffer) => {
      for (const c of d.toString("utf8")) {
        if (c === "\r" || c === "\n") return done(text);
        if (c === "\u0003") return done(undefined);
        if (c === "\u007f") text = text.slice(0, -1);
        else text += c;
      }
    };
    const done = (t: string | undefined) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (t === undefined) process.exit(130);
      resolve(t);
    };
    stdin.on("data", onData);
  });
  return new Secret(answer, noTerminal.label);
}
