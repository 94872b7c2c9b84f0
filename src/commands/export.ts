import { type Command, Option } from "commander";
import { readRecordFile } from "../io/records.js";
import { writeFileAtomic } from "../io/atomic.js";
import { EXPORT_FORMATS, serialise, type ExportFormat } from "../io/exporters.js";
import { action } from "./action.js";

interface ExportFlags {
  in: string;
  format: ExportFormat;
  out: string;
  bom?: boolean;
  system?: string;
}

export function register(program: Command): void {
  program
    .command("export")
    .description("write a dataset as Alpaca JSON/JSONL, ShareGPT, OpenAI chat messages or CSV")
    .requiredOption("--in <file>", "records: a run's data.jsonl, Alpaca JSON/JSONL, ShareGPT or OpenAI-messages JSONL")
    .addOption(new Option("--format <format>", "output format").choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption("--out <file>", "file to write (replaced atomically)")
    .option("--bom", "csv: start with a UTF-8 BOM (for spreadsheet programs)")
    .option("--system <prompt>", "openai-messages: a system message for every conversation")
    .action(
      action(async (flags: ExportFlags) => {
        const { items } = await readRecordFile(flags.in);
        const records = items.map((item) => item.record);
        writeFileAtomic(flags.out, serialise(records, flags.format, { bom: flags.bom, systemPrompt: flags.system }));
        process.stderr.write(`instructforge: wrote ${records.length} records as ${flags.format} to ${flags.out}\n`);
      }),
    );
}
