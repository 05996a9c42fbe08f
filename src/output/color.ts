/**
 * Whether output to a stream is coloured, as https://no-color.org and FORCE_COLOR say: NO_COLOR
 * (any non-empty value) never; FORCE_COLOR (any value but "0" and "false") always; TERM=dumb
 * never; otherwise only on a terminal.
 */
export function useColor(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  if (env.TERM === "dumb") return false;
  return isTTY;
}

/** Whether the live progress display (cursor movement) may take the terminal. */
export const liveDisplay = (isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean =>
  isTTY && !env.CI && env.TERM !== "dumb";
