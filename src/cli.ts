#!/usr/bin/env node
// The command: Node's own compile cache where Node has one (22.1+), then the modules.
import module from "node:module";

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { cliMain } = await import("./cli/main.js");
process.exit(await cliMain(process.argv.slice(2)));
