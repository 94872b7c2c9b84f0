import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("run")
    .description("run a whole pipeline from a config file")
    .action(action(() => notImplemented("run")));
}
