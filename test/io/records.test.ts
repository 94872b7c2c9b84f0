import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRecordFile } from "../../src/io/records.js";

const dir = mkdtempSync(join(tmpdir(), "if-records-"));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("readRecordFile", () => {
  it("reads an Alpaca JSON array with the line each record starts on", async () => {
    const path = file("a.json", '[\n  {"instruction": "Say hi", "input": "", "output": "Hi"},\n  {"instruction": "Add 2 and 2",\n   "output": "4"}\n]\n');
    const { format, items } = await readRecordFile(path);
    expect(format).toBe("alpaca-json");
    expect(items.map((i) => i.line)).toEqual([2, 3]);
    expect(items[1]!.record).toEqual({ instruction: "Add 2 and 2", input: "", output: "4" });
  });

  it("reads Alpaca JSONL with a BOM and CRLF line endings", async () => {
    const path = file("b.jsonl", '\uFEFF{"instruction":"A","input":"x","output":"y"}\r\n\r\n{"instruction":"B","input":"","output":"z"}\r\n');
    const { format, items } = await readRecordFile(path);
    expect(format).toBe("alpaca-jsonl");
    expect(items.map((i) => [i.line, i.record.instruction])).toEqual([[1, "A"], [3, "B"]]);
  });

  it("reads seed tasks and takes the first instance", async () => {
    const path = file("s.jsonl", JSON.stringify({ id: "t1", name: "n", instruction: "Do it", instances: [{ input: "i", output: "o" }], is_classification: true }) + "\n");
    const { format, items } = await readRecordFile(path);
    expect(format).toBe("seed-jsonl");
    expect(items[0]).toMatchObject({ seedId: "t1", isClassification: true, record: { instruction: "Do it", input: "i", output: "o" } });
  });

  it.each([
    ["malformed line", '{"instruction":"a","output":"b"}\n{"instruction": oops}\n', /bad\.jsonl:2: not valid JSON/],
    ["missing instruction", '{"instruction":"a"}\n{"input":"x","output":"y"}\n', /:2: field 'instruction' is missing/],
    ["wrong type", '{"instruction": 5, "output": "y"}\n', /:1: field 'instruction'/],
    ["array element", '[{"instruction":"a"},\n{"instruction": }]', /:2: not valid JSON/],
    ["truncated array", '[{"instruction":"a"},\n{"instruction": "b"', /not closed/],
    ["not an object", '"just a string"\n', /:1: expected a JSON object/],
    ["empty file", "  \n", /the file is empty/],
  ])("rejects %s with file and line", async (_name, content, message) => {
    const path = file("bad.jsonl", content);
    await expect(readRecordFile(path)).rejects.toThrow(message);
  });

  it("names the line of the first invalid UTF-8 byte", async () => {
    const path = file("latin1.jsonl", Buffer.concat([Buffer.from('{"instruction":"ok","output":"x"}\n{"instruction":"caf'), Buffer.from([0xe9]), Buffer.from('","output":"y"}\n')]));
    await expect(readRecordFile(path)).rejects.toThrow(/latin1\.jsonl:2: not valid UTF-8/);
  });

  it("rejects duplicate seed ids naming both lines", async () => {
    const seed = (id: string) => JSON.stringify({ id, name: id, instruction: `Task ${id}`, instances: [{ input: "", output: "o" }], is_classification: false });
    const path = file("dup.jsonl", [seed("a"), seed("b"), seed("a")].join("\n"));
    await expect(readRecordFile(path)).rejects.toThrow(/dup\.jsonl:3: duplicate seed id 'a' \(first used on line 1\)/);
  });

  it("reports a missing file plainly", async () => {
    await expect(readRecordFile(join(dir, "nope.json"))).rejects.toThrow(/nope\.json: no such file/);
  });
});
