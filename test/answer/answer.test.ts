/** The answer stage and `answerInstruction`, against the simulator (in-process and via the CLI). */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLlmClient } from "../../src/llm/client.js";
import type { SimHandler } from "../../src/simulator/types.js";
import { answerInstruction } from "../../src/stages/answer/answer.js";
import { runAnswer } from "../../src/stages/answer/stage.js";
import { hanShare } from "../../src/text/language.js";
import { llmSettings, readJsonl, startSim, tempDir, writeJsonl } from "../evolve/helpers.js";

/** A simulator handler that answers with the system prompt it received, so tests can see which one was sent. */
const echoSystem: SimHandler = {
  kind: "echoSystem",
  matches: () => true,
  respond: (request) => ({ text: `${request.messages.find((m) => m.role === "system")?.content ?? "(none)"}\n---\n${request.prompt}` }),
};

const records = [
  { instruction: "Explain why the sky is blue.", input: "", output: "" },
  { instruction: "Summarize the text.", input: "Tides are caused by the moon's gravity.", output: "" },
  { instruction: "Name a primary colour.", input: "", output: "Red." },
  { instruction: "解释为什么天空是蓝色的。", input: "", output: "" },
];

describe("answerInstruction", () => {
  it("sends the instruction and its input, with the system prompt of the answer language", async () => {
    const sim = await startSim({ handlers: [echoSystem] });
    try {
      const llm = createLlmClient(llmSettings(sim.url));
      const english = await answerInstruction(llm, records[1]!);
      expect(english.lang).toBe("en");
      expect(english.output).toMatch(/in English/);
      expect(english.output).toContain("Summarize the text.\n\nTides are caused by the moon's gravity.");
      const chinese = await answerInstruction(llm, records[3]!);
      expect(chinese.lang).toBe("zh");
      expect(chinese.output).toMatch(/请用简体中文/);
      // The translate stage's use: an English instruction answered in Chinese.
      const forced = await answerInstruction(llm, records[0]!, { lang: "zh" });
      expect(forced.lang).toBe("zh");
      expect(forced.output).toMatch(/请用简体中文/);
      const custom = await answerInstruction(llm, records[0]!, { systemPrompt: "Answer like a pirate." });
      expect(custom.output.startsWith("Answer like a pirate.")).toBe(true);
      expect(custom.finishReason).toBe("stop");
    } finally {
      await sim.close();
    }
  });
});

describe("answer stage", () => {
  it("answers empty outputs, passes the others through unchanged, and resumes for free", async () => {
    const sim = await startSim();
    const dir = tempDir("if-answer-");
    try {
      const inPath = writeJsonl(dir, "in.jsonl", records);
      const options = { inPath, outDir: join(dir, "out"), lang: "auto" as const, maxTokens: 512, temperature: 0.7, llm: llmSettings(sim.url) };
      const summary = await runAnswer(options);
      expect(summary).toMatchObject({ answered: 3, passedThrough: 1, rejected: 0 });
      const data = readJsonl<{ instruction: string; input: string; output: string }>(join(dir, "out", "data.jsonl"));
      expect(data.map((r) => [r.instruction, r.input])).toEqual(records.map((r) => [r.instruction, r.input]));
      expect(data[2]).toEqual(records[2]);
      for (const i of [0, 1, 3]) expect(data[i]!.output.length).toBeGreaterThan(20);
      expect(hanShare(data[3]!.output)).toBeGreaterThan(0.5);
      const meta = readJsonl<Record<string, unknown>>(join(dir, "out", "meta.jsonl"));
      expect(meta.map((m) => m.answered)).toEqual([true, true, false, true]);
      expect(meta[0]).toMatchObject({ finishReason: "stop", lang: "en" });
      expect(sim.stats().requests).toBe(3);

      // A second run over the same directory has nothing left to do.
      const again = await runAnswer(options);
      expect(again).toMatchObject({ answered: 3, passedThrough: 1 });
      expect(sim.stats().requests).toBe(3);
    } finally {
      await sim.close();
    }
  });
});

describe("instructforge answer (CLI)", () => {
  const cli = join(process.cwd(), "dist/src/cli.js");
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, "answer", ...args], { env: { ...process.env, OPENAI_API_KEY: "sk-test" } });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.stdout.resume();
      child.on("exit", (code) => resolve({ code, stderr }));
    });

  it("fills in outputs end to end", async () => {
    const sim = await startSim();
    const dir = tempDir("if-answer-cli-");
    try {
      const inPath = writeJsonl(dir, "in.jsonl", records);
      const result = await run(["--in", inPath, "--out", join(dir, "out"), "--base-url", sim.url]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/3 answered, 1 already had an output/);
      const data = readJsonl<{ output: string }>(join(dir, "out", "data.jsonl"));
      expect(data.every((r) => r.output !== "")).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it("refuses a missing system prompt file before doing anything", async () => {
    const dir = tempDir("if-answer-cli-");
    const inPath = writeJsonl(dir, "in.jsonl", records);
    writeFileSync(join(dir, "empty.jsonl"), "");
    const missing = await run(["--in", inPath, "--out", join(dir, "out"), "--system-prompt", join(dir, "nope.txt"), "--base-url", "http://127.0.0.1:9/v1"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nope\.txt: no such file/);
    const empty = await run(["--in", join(dir, "empty.jsonl"), "--out", join(dir, "out"), "--base-url", "http://127.0.0.1:9/v1"]);
    expect(empty.stderr).toMatch(/the file is empty/);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(readFileSync(inPath, "utf8")).toContain("sky is blue");
  });
});
