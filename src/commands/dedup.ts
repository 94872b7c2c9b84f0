import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("dedup")
    .description("drop near-duplicates (ROUGE-L and MinHash LSH)")
    .action(action(() => notImplemented("dedup")));
}
