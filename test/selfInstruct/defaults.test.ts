/**
 * The generate stage's defaults, pinned to the reference implementations. Each request is read
 * as it went over HTTP (a recording proxy in front of the simulator), with nothing set but the
 * number of records, through the same path `run --config` takes (the command's own defaults).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callStage } from "../../src/pipeline/stageCalls.js";
import type { Language } from "../../src/schemas.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { ExamplePicker } from "../../src/stages/selfInstruct/examples.js";
import { CHINESE_BLACKLIST, ENGLISH_BLACKLIST } from "../../src/stages/selfInstruct/rules.js";
import { SELF_INSTRUCT_BLACKLIST } from "../../src/stages/selfInstruct/recipes.js";
import { readJsonl } from "./helpers.js";
import { startRecordingProxy, type RecordingProxy, type SentBody } from "./recordingProxy.js";

let sim: RunningSimulator;
let proxy: RecordingProxy;
const work = mkdtempSync(join(tmpdir(), "if-defaults-"));

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 5 });
  proxy = await startRecordingProxy(sim.url);
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

async function generate(name: string, lang: Language, options: Record<string, unknown> = {}): Promise<SentBody[]> {
  const before = proxy.bodies.length;
  await callStage({
    stage: { name: "generate", options: { num: 30, ...options } },
    outDir: join(work, name),
    lang,
    seed: 1,
    llm: { baseUrl: proxy.url, apiKey: "sk-test", model: "sim", concurrency: 2, timeoutMs: 10_000, maxRetries: 1 },
  });
  return proxy.bodies.slice(before);
}

const examplesIn = (prompt: string, label: RegExp) => prompt.split("\n").filter((line) => label.test(line)).length;

describe("generate defaults = the reference's", () => {
  it("alpaca (en): 3 seed examples, a list of 20, temperature 1, top_p 1, max_tokens 3072, stop at \\n20 / 20.", async () => {
    // tatsu-lab/stanford_alpaca, generate_instruction.py: num_prompt_instructions=3, temperature=1.0,
    // top_p=1.0, max_tokens=3072, stop=["\n20", "20.", "20."]; prompt.txt: "a set of 20 diverse task instructions".
    const [first] = await generate("alpaca", "en");
    expect(first).toMatchObject({ temperature: 1, top_p: 1, max_tokens: 3072, stop: ["\n20", "20."] });
    const prompt = first!.messages[0]!.content;
    expect(examplesIn(prompt, /^\d+\. Instruction: \S/)).toBe(3);
    expect(prompt).toContain("20 different tasks");
    expect(prompt.endsWith("4. Instruction:")).toBe(true);
  });

  it("alpaca (zh, BELLE): 3 examples, a list of 10, temperature 1, top_p 1, no length cap in the prompt", async () => {
    // LianjiaTech/BELLE, data/1.5M/generate_instruction.py: num_prompt_instructions=3, temperature=1.0,
    // top_p=1.0; prompt_cn.txt asks for 10 tasks and caps neither input nor output length.
    const [first] = await generate("belle", "zh");
    expect(first).toMatchObject({ temperature: 1, top_p: 1, stop: ["\n11", "11."] });
    const prompt = first!.messages[0]!.content;
    expect(examplesIn(prompt, /^\d+\. 指令：\S/)).toBe(3);
    expect(prompt).toContain("10个不同的任务");
    expect(prompt).not.toMatch(/不超过\s*\d+\s*字/);
  });

  it("self-instruct: 8 prompt instructions, temperature 0.7, top_p 0.5, max_tokens 1024, stop at 16; classification and instance steps greedy", async () => {
    // yizhongw/self-instruct, bootstrap_instructions.py: num_prompt_instructions=8 (2 machine), max_tokens=1024,
    // temperature=0.7, top_p=0.5, stop ["\n\n", "\n16", "16.", "16 ."] (we leave out "\n\n", see docs/recipes.md).
    const bodies = await generate("self-instruct", "en", { recipe: "self-instruct" });
    const instructions = bodies.filter((b) => b.messages[0]!.content.includes("Continue the numbered list"));
    expect(instructions[0]).toMatchObject({ temperature: 0.7, top_p: 0.5, max_tokens: 1024, stop: ["\n16", "16.", "16 ."] });
    expect(examplesIn(instructions[0]!.messages[0]!.content, /^[1-8]\. \S/)).toBe(8);
    expect(instructions[0]!.messages[0]!.content.endsWith("\n9.")).toBe(true);
    // identify_clf_or_not.py: max_tokens=3, temperature=0, stop ["\n", "Task"].
    const classify = bodies.find((b) => b.messages[0]!.content.trimEnd().endsWith("Is it classification?"));
    expect(classify).toMatchObject({ temperature: 0, max_tokens: 3, stop: ["\n", "Task"] });
    // generate_instances.py: temperature=0, max_tokens 300 (classification) / 350, stop ["Example 6", "Task:"] (5 instances, generate_instances.sh).
    const outputFirst = bodies.find((b) => b.messages[0]!.content.includes("First name each possible class label"));
    const inputFirst = bodies.find((b) => b.messages[0]!.content.includes("Write examples for each task below"));
    expect(outputFirst).toMatchObject({ temperature: 0, max_tokens: 300, stop: ["Example 6", "Task:"] });
    expect(inputFirst).toMatchObject({ temperature: 0, max_tokens: 350, stop: ["Example 6", "Task:"] });
  });

  it("the blacklists are the references' word for word", () => {
    // tatsu-lab/stanford_alpaca, generate_instruction.py (post_process_gpt3_response).
    expect(ENGLISH_BLACKLIST).toEqual(["image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps", "draw", "plot", "go to", "video", "audio", "music", "flowchart", "diagram"]);
    // yizhongw/self-instruct, self_instruct/bootstrap_instructions.py (post_process_gpt3_response).
    expect(SELF_INSTRUCT_BLACKLIST).toEqual(["image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps", "draw", "plot", "go to"]);
    // LianjiaTech/BELLE, data/1.5M/generate_instruction.py: no 音乐, no 视频.
    expect(CHINESE_BLACKLIST).toEqual(["图像", "图片", "照片", "文件", "图表", "图层", "曲线图", "折线图", "直线图", "柱形图", "饼状图", "链接", "http", "OpenAI", "chatgpt", "gpt-3", "gpt-3.5", "gpt-4"]);
  });

  it("the records carry the examples each request showed", () => {
    const meta = readJsonl<{ examples: string[] }>(join(work, "alpaca", "meta.jsonl"));
    expect(meta[0]!.examples).toHaveLength(3);
  });
});

describe("machine examples = Self-Instruct's", () => {
  it("mixes 2 machine tasks among 6 seeds at shuffled positions, seeds filling in while none is available", async () => {
    // yizhongw/self-instruct, bootstrap_instructions.py: sample_machine_instructions(n=2), then
    // random.sample(seeds, 8 - len(prompt_instructions)), then random.shuffle(prompt_instructions).
    const seeds = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, instruction: `seed ${i}`, input: "", output: "" }));
    const picker = new ExamplePicker(seeds, { seed: 3, examples: 6, machineExamples: 2, lag: 0, firstUnit: 0 });
    expect((await picker.examplesFor(0)).map((e) => e.id.startsWith("s"))).toEqual(Array(8).fill(true));
    for (let i = 0; i < 5; i++) picker.addMachineTask(0, { id: `machine:${i}`, instruction: `machine ${i}`, input: "", output: "" });
    picker.unitCommitted(50); // units up to 50 are committed: no request waits
    const positions = new Set<number>();
    for (let unit = 1; unit < 40; unit++) {
      const shown = await picker.examplesFor(unit);
      expect(shown).toHaveLength(8);
      expect(shown.filter((e) => e.id.startsWith("machine:"))).toHaveLength(2);
      shown.forEach((e, index) => e.id.startsWith("machine:") && positions.add(index));
    }
    expect(positions.size).toBeGreaterThan(5);
  });
});
