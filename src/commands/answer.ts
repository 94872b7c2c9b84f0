import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("answer")
    .description("write the output for records whose output is empty")
    .action(action(() => notImplemented("answer")));
}
