#!/usr/bin/env node
/** Thin entry point: the commands are built in `src/commands/program.ts`. */
import { buildProgram } from "./commands/program.js";

await buildProgram().parseAsync(process.argv);
