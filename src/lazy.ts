import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/**
 * A package loaded the first time it is needed, not at start-up: its ES build through require()
 * (the same instance an import() gets), or its CommonJS build where Node cannot require() ES
 * modules.
 */
export function lazyModule<T>(specifier: string): () => T {
  let mod: T | undefined;
  return () => {
    if (mod === undefined) {
      try {
        mod = require(fileURLToPath(import.meta.resolve(specifier))) as T;
      } catch {
        mod = require(specifier) as T;
      }
    }
    return mod;
  };
}
