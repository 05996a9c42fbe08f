/** Characters quote() leaves bare. */
export const BARE_CHARS = "A-Za-z0-9_@%+=:,./-";
const BARE = new RegExp(`^[${BARE_CHARS}]+$`);

/**
 * The one function that puts a value into a POSIX shell command. Every value that
 * reaches a remote shell goes through here; nothing is quoted by hand elsewhere.
 */
export function quote(value: string | number): string {
  const s = String(value);
  if (s === "") return "''";
  if (BARE.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/** Quote each word and join them into one command line. */
export function commandLine(...words: Array<string | number>): string {
  return words.map(quote).join(" ");
}
