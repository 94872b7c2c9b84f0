import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("filter")
    .description("quality filter: heuristic rules and an optional LLM judge")
    .action(action(() => notImplemented("filter")));
}
