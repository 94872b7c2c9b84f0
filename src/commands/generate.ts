import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("generate")
    .description("Self-Instruct: grow seed tasks into new instruction records")
    .action(action(() => notImplemented("generate")));
}
