import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("report")
    .description("write a self-contained HTML report of a run directory")
    .action(action(() => notImplemented("report")));
}
