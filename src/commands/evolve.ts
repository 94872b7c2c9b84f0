import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("evolve")
    .description("Evol-Instruct: rewrite instructions to harder levels over several rounds")
    .action(action(() => notImplemented("evolve")));
}
