import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("simulate")
    .description("start the local OpenAI-compatible SIMULATOR (a test double, not a model)")
    .action(action(() => notImplemented("simulate")));
}
