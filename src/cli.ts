#!/usr/bin/env node
/** Thin entry point: each subcommand lives in `src/commands/<name>.ts` and registers itself here. */
import { Command } from "commander";
import { readPackageVersion } from "./version.js";
import * as simulate from "./commands/simulate.js";
import * as generate from "./commands/generate.js";
import * as dedup from "./commands/dedup.js";
import * as evolve from "./commands/evolve.js";
import * as answer from "./commands/answer.js";
import * as filter from "./commands/filter.js";
import * as translate from "./commands/translate.js";
import * as exportCmd from "./commands/export.js";
import * as report from "./commands/report.js";
import * as run from "./commands/run.js";
import * as view from "./commands/view.js";

const program = new Command("instructforge")
  .description(
    "Grow human-written seed tasks into a clean instruction-tuning dataset:\n" +
      "generate (Self-Instruct) → evolve (Evol-Instruct) → answer → dedup → filter → translate → export.\n" +
      "Works with any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server).\n" +
      "`instructforge simulate` starts a local SIMULATOR (a test double, not a model) for offline tries.",
  )
  .version(readPackageVersion())
  .showHelpAfterError("(run with --help for usage)");

for (const command of [simulate, generate, evolve, answer, dedup, filter, translate, exportCmd, report, run, view]) {
  command.register(program);
}

await program.parseAsync(process.argv);
