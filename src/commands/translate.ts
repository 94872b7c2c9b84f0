import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("translate")
    .description("translate a dataset into Chinese, keeping code and formatting intact")
    .action(action(() => notImplemented("translate")));
}
