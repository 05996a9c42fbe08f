#!/usr/bin/env node
import { cliMain } from "./cli/main.js";

cliMain(process.argv.slice(2)).then((code) => process.exit(code));
