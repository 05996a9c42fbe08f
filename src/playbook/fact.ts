/**
 * A value one host's task learns during a run, for a later play's task on another host: the
 * VPS's server certificate, which the home gateway's cascade pins. The task that learns it
 * calls `learn` when it takes its steps (in check mode too, from what it read); the one that
 * uses it calls `value` when it takes its own, in a later play. Unknown (undefined) when the
 * learning play did not run (--limit) or had nothing to read yet (a fresh host in check mode).
 */
export class RunFact<T> {
  #value: T | undefined;
  constructor(readonly what: string) {}

  learn(value: T | undefined): void {
    if (value === undefined) return;
    if (this.#value !== undefined && this.#value !== value)
      throw new Error(`${this.what}: two different values in one run (the site has one)`);
    this.#value = value;
  }

  value(): T | undefined {
    return this.#value;
  }
}
