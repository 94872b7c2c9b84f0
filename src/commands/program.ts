/**
 * The CLI's commands, as one commander program: each subcommand lives in `src/commands/<name>.ts`
 * and registers itself here. Built by a function so tests can read the commands without running one.
 */
import { Command } from "commander";
import { readPackageVersion } from "../version.js";
import * as simulate from "./simulate.js";
import * as generate from "./generate.js";
import * as dedup from "./dedup.js";
import * as evolve from "./evolve.js";
import * as answer from "./answer.js";
import * as filter from "./filter.js";
import * as translate from "./translate.js";
import * as exportCmd from "./export.js";
import * as report from "./report.js";
import * as run from "./run.js";
import * as view from "./view.js";

export function buildProgram(): Command {
  const program = new Command("instructforge")
    .description(
      "Grow human-written seed tasks into a clean instruction-tuning dataset:\n" +
        "generate (Self-Instruct) → evolve (Evol-Instruct) → answer → dedup → filter → translate → export.\n" +
        "Works with any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server).\n" +
        "`instructforge simulate` starts a local SIMULATOR (a test double, not a model) for offline tries.",
    )
    .version(readPackageVersion())
    .showHelpAfterError("(run with --help for usage)");

  for (const command of [simulate, generate, evolve, answer, dedup, filter, translate, exportCmd, report, run, view]) command.register(program);
  return program;
}
