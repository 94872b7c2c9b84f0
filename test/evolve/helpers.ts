/** Shared pieces of the evolve/answer tests: fixtures, the simulator with our handlers, run-directory readers. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handlers } from "../../src/simulator/handlers/index.js";
import { evolAnswerHandler } from "../../src/simulator/handlers/evolAnswer.js";
import { startSimulator, type SimulatorOptions } from "../../src/simulator/server.js";
import type { SimHandler, SimKnobs } from "../../src/simulator/types.js";
import { EVOLVE_FAULTS } from "../../src/simulator/handlers/evolve.js";
import type { LlmSettings } from "../../src/llm/types.js";

/** The handler list with evolAnswer before the catch-all (a no-op once handlers/index.ts lists it). */
export function handlersWithEvolAnswer(): SimHandler[] {
  if (handlers.some((h) => h.kind === evolAnswerHandler.kind)) return [...handlers];
  const catchAll = handlers.findIndex((h) => h.kind === "answer");
  return [...handlers.slice(0, catchAll), evolAnswerHandler, ...handlers.slice(catchAll)];
}

/** Every planted-failure knob at 0, then the given ones: each failure kind can be set alone. */
export function knobs(overrides: SimKnobs = {}): SimKnobs {
  const zero: SimKnobs = { "judge.unparseableRate": 0 };
  for (const fault of EVOLVE_FAULTS) zero[`evolve.${fault}Rate`] = 0;
  return { ...zero, ...overrides };
}

export function startSim(options: SimulatorOptions = {}) {
  return startSimulator({ port: 0, seed: 7, handlers: handlersWithEvolAnswer(), ...options });
}

export function llmSettings(url: string, concurrency = 8): LlmSettings {
  return { baseUrl: url, apiKey: "sk-test-not-secret", model: "sim", concurrency, timeoutMs: 10_000, maxRetries: 2 };
}

export function tempDir(prefix = "if-evolve-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const TOPICS = [
  "Give three tips for staying healthy",
  "Explain why the sky is blue",
  "Describe the water cycle",
  "Summarize the plot of a mystery novel",
  "Suggest a name for a new coffee shop",
  "List the benefits of reading before bed",
  "Explain how compound interest works",
  "Describe a sunset over the ocean",
  "Give advice to a student starting university",
  "Explain the rules of chess for a beginner",
  "Write a Python function that reverses a linked list",
  "Fix the bug in this JavaScript code that sums an array",
];
const ZH_TOPICS = ["解释为什么天空是蓝色的", "给出三个保持健康的建议", "描述水的循环过程", "介绍一下如何开始学习做饭"];

/** n Alpaca records: mostly English, some Chinese, some with input, some code tasks. */
export function alpacaRecords(n: number): Array<{ instruction: string; input: string; output: string }> {
  return Array.from({ length: n }, (_, i) => {
    const chinese = i % 7 === 3;
    const base = chinese ? ZH_TOPICS[i % ZH_TOPICS.length]! : TOPICS[i % TOPICS.length]!;
    const instruction = chinese ? `${base}（第${i}题）` : `${base} (task ${i}).`;
    const input = i % 5 === 1 ? (chinese ? "对象：高中生" : "Audience: high-school students") : "";
    return { instruction, input, output: chinese ? `这是第${i}题的参考答案。` : `A reference answer for task ${i}.` };
  });
}

export function writeJsonl(dir: string, name: string, rows: readonly unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return path;
}

export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8").trim();
  return text === "" ? [] : text.split("\n").map((line) => JSON.parse(line) as T);
}
