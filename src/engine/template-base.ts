// Where a relative template path starts: the directory of the playbook being compiled (as in
// Ansible), passed by compile() around the code that builds the tasks; else the working directory.
import { AsyncLocalStorage } from "node:async_hooks";

const bases = new AsyncLocalStorage<string>();

/** Run `build` with relative template paths read from `dir`. */
export function withTemplateBase<T>(dir: string, build: () => T): T {
  return bases.run(dir, build);
}

/** The directory relative template paths are read from now. */
export function templateBase(): string {
  return bases.getStore() ?? ".";
}
