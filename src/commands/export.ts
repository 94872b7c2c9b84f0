import type { Command } from "commander";
import { action, notImplemented } from "./action.js";

export function register(program: Command): void {
  program
    .command("export")
    .description("write a dataset as Alpaca JSON/JSONL, ShareGPT, OpenAI messages or CSV")
    .action(action(() => notImplemented("export")));
}
