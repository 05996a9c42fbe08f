#!/usr/bin/env node
// The deploy command: the library's commands and the site's. Node's own compile cache where Node
// has one (22.1+), then the modules.
import module from "node:module";

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const [{ cliMain }, { SITE_COMMANDS }] = await Promise.all([import("../src/cli/main.js"), import("./commands.js")]);
process.exit(await cliMain(process.argv.slice(2), SITE_COMMANDS));
