import { pendingProbe } from "./notify.js";
import { section } from "./sections.js";

/**
 * How the engine writes one remote script for a kind of host: POSIX sh for Linux hosts, the
 * RTX CLI for YAMAHA routers. Each section's output comes back framed the same way
 * (`@@TOKEN id begin` ... `@@TOKEN id end CODE`), so the engine parses both alike.
 */
export interface Dialect {
  name: string;
  header: string;
  section(token: string, id: string, fragment: string, opts?: { stopOnError?: boolean }): string;
  /** Probe of notifications kept on the host; hosts without a filesystem we manage have none. */
  pendingProbe?: string;
}

export const shDialect: Dialect = {
  name: "sh",
  header: "umask 022\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport PATH\n",
  section,
  pendingProbe: pendingProbe(),
};

/** RTX CLI: command lines between marker lines that the RTX session interprets. */
export const rtxDialect: Dialect = {
  name: "rtx",
  header: "",
  section: (token, id, fragment, opts = {}) => `#@@ ${token} ${id} begin${opts.stopOnError ? " stop" : ""}\n${fragment}\n#@@ ${token} ${id} end`,
};
