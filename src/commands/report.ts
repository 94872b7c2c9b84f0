import type { Command } from "commander";
import { writeFileAtomic } from "../io/atomic.js";
import { renderReport, writeDatasetCard } from "../report/index.js";
import { action } from "./action.js";

interface ReportFlags {
  in: string;
  html?: string;
  card?: boolean;
}

export function register(program: Command): void {
  program
    .command("report")
    .description("write a self-contained HTML report of a run directory (single stage or a whole pipeline)")
    .requiredOption("--in <dir>", "a run directory (data.jsonl, meta.jsonl, …) or a pipeline directory with one sub-directory per stage")
    .option("--html <file>", "write the HTML report here", "report.html")
    .option("--card", "also write the dataset card DIR/README.md")
    .action(
      action((flags: ReportFlags) => {
        const html = renderReport(flags.in);
        writeFileAtomic(flags.html ?? "report.html", html);
        process.stderr.write(`instructforge: wrote the report to ${flags.html ?? "report.html"}\n`);
        if (flags.card) process.stderr.write(`instructforge: wrote the dataset card to ${writeDatasetCard(flags.in)}\n`);
      }),
    );
}
