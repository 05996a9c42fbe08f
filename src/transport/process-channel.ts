import { type ChildProcess, spawn } from "node:child_process";

/**
 * One remote command's streams, as the script stream reads them: an `ssh ... COMMAND` process
 * (its stdin is the command's stdin, its exit code the command's, or 255 when ssh failed).
 */
export interface ExecChannel {
  onStdout(fn: (d: Buffer) => void): void;
  onStderr(fn: (d: Buffer) => void): void;
  /** The exit code (null: killed by a signal). */
  onExit(fn: (code: number | null) => void): void;
  /** The process ended and its streams are drained. */
  onClose(fn: () => void): void;
  onError(fn: (e: Error) => void): void;
  write(text: string): void;
  /** EOF on its stdin. */
  end(): void;
}

/** Start a local program as an ExecChannel (the ssh client). */
export function spawnChannel(file: string, args: string[], env?: NodeJS.ProcessEnv): ExecChannel {
  const child: ChildProcess = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"], env: env ?? process.env });
  const errors: Array<(e: Error) => void> = [];
  const error = (e: Error) => {
    for (const fn of errors) fn(e);
  };
  child.on("error", error);
  // a write after ssh exited (EPIPE) is this channel's error, never the process's
  child.stdin!.on("error", error);
  return {
    onStdout: (fn) => child.stdout!.on("data", fn),
    onStderr: (fn) => child.stderr!.on("data", fn),
    onExit: (fn) => child.on("exit", (code) => fn(code)),
    onClose: (fn) => child.on("close", () => fn()),
    onError: (fn) => errors.push(fn),
    write: (text) => {
      if (child.stdin!.writable) child.stdin!.write(text);
    },
    end: () => {
      if (child.stdin!.writable) child.stdin!.end();
    },
  };
}

/** The ssh client ended before the remote command ran: `said` is what it printed (its reason). */
export class ChannelFailed extends Error {
  constructor(
    readonly said: string,
    cause: Error,
  ) {
    super(said.trim().split("\n").at(-1) || cause.message, { cause });
  }
}
