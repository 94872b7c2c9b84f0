import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { readRecordFile } from "../../src/io/records.js";
import { serialise } from "../../src/io/exporters.js";

const records = [
  { instruction: "Translate to French.", input: "Good morning", output: "Bonjour" },
  { instruction: "把下面的句子翻译成英文。", input: "今天天气很好，\n我们去公园吧。", output: "The weather is nice today, let's go to the park." },
  { instruction: "Explain this code.\n\nBe brief.", input: "```python\nprint(\"a, b\")\n```", output: "It prints \"a, b\"." },
  { instruction: "Name a prime number.", input: "", output: "7" },
];

const cli = join(process.cwd(), "dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "if-export-"));

function exportVia(inFile: string, format: string, outName: string, ...extra: string[]): string {
  const out = join(dir, outName);
  execFileSync("node", [cli, "export", "--in", inFile, "--format", format, "--out", out, ...extra], { stdio: "pipe" });
  return out;
}

describe("export", () => {
  it("round-trips Alpaca JSON → JSONL → ShareGPT → Alpaca JSON unchanged", async () => {
    const start = join(dir, "alpaca_data.json");
    writeFileSync(start, serialise(records, "alpaca-json"));
    const jsonl = exportVia(start, "alpaca-jsonl", "data.jsonl");
    const sharegpt = exportVia(jsonl, "sharegpt", "sharegpt.jsonl");
    const back = exportVia(sharegpt, "alpaca-json", "back.json");
    expect(JSON.parse(readFileSync(back, "utf8"))).toEqual(records);
    const sharegptLines = readFileSync(sharegpt, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(sharegptLines[1].conversations).toEqual([
      { from: "human", value: "把下面的句子翻译成英文。\n\n今天天气很好，\n我们去公园吧。" },
      { from: "gpt", value: records[1]!.output },
    ]);
  });

  it("writes OpenAI chat messages with an optional system prompt", async () => {
    const start = join(dir, "start.jsonl");
    writeFileSync(start, serialise(records, "alpaca-jsonl"));
    const out = exportVia(start, "openai-messages", "messages.jsonl", "--system", "You are helpful.");
    const first = JSON.parse(readFileSync(out, "utf8").split("\n")[0]!);
    expect(first.messages).toEqual([
      { role: "system", content: "You are helpful." },
      { role: "user", content: "Translate to French.\n\nGood morning" },
      { role: "assistant", content: "Bonjour" },
    ]);
    const { items } = await readRecordFile(out);
    expect(items[3]!.record).toEqual(records[3]);
  });

  it("writes CSV with a BOM that a CSV parser reads back to the same fields", () => {
    const start = join(dir, "csv-start.jsonl");
    writeFileSync(start, serialise(records, "alpaca-jsonl"));
    const out = exportVia(start, "csv", "data.csv", "--bom");
    const text = readFileSync(out, "utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const rows = parse(text, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows).toEqual(records);
  });

  it("rejects an unknown format and a malformed input line without writing", () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"instruction":"a","input":"","output":"b"}\n{oops\n');
    const out = join(dir, "never.json");
    const result = spawnSync("node", [cli, "export", "--in", bad, "--format", "alpaca-json", "--out", out], { encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("bad.jsonl:2: not valid JSON");
    expect(() => readFileSync(out)).toThrow();
    const unknown = spawnSync("node", [cli, "export", "--in", bad, "--format", "parquet", "--out", out], { encoding: "utf8" });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/parquet.*(invalid|Allowed choices)/is);
  });
});
