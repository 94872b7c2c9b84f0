import { describe, expect, it } from "vitest";
import { classifyFamily } from "../../src/stages/evolve/classify.js";
import { chooseOperation, defaultWeights, parseOperationWeights } from "../../src/stages/evolve/operations.js";
import {
  apologyShortAnswer,
  findTemplateLeak,
  onlyPunctuationAndStopwords,
  parseEqualVerdict,
  rougeLSimilarity,
  stripEchoedLabels,
} from "../../src/stages/evolve/rules.js";

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

describe("stripEchoedLabels", () => {
  it("keeps the text after the last label, in any case and with a full-width colon", () => {
    expect(stripEchoedLabels("#Rewritten Prompt#:\nExplain tides in two sentences.")).toBe("Explain tides in two sentences.");
    expect(stripEchoedLabels("#Given Prompt#:\nExplain tides.\n\n#Rewritten Prompt#: Explain tides briefly.")).toBe("Explain tides briefly.");
    expect(stripEchoedLabels("#created prompt#：解释潮汐。")).toBe("解释潮汐。");
    expect(stripEchoedLabels("  Explain tides.  ")).toBe("Explain tides.");
  });
});

describe("rule 4: template leak", () => {
  it("finds English and Chinese template words", () => {
    expect(findTemplateLeak("Make it harder than the given prompt.")).toBe("given prompt");
    expect(findTemplateLeak("Explain tides (#Rewritten Prompt#)")).toBe("#Rewritten Prompt#");
    expect(findTemplateLeak("Rewritten prompt: explain tides")).toBe("Rewritten prompt");
    expect(findTemplateLeak("这是在给定提示的基础上改写的")).toBe("给定提示");
    expect(findTemplateLeak("改写后的提示：解释潮汐")).toBe("改写后的提示");
  });
  it("leaves ordinary instructions alone", () => {
    expect(findTemplateLeak("Write a prompt for an image generator about tides.")).toBeUndefined();
    expect(findTemplateLeak("为聊天机器人设计一个提示词。")).toBeUndefined();
  });
});

describe("rule 2: apology and short answer", () => {
  it("English: an apology under 80 words", () => {
    expect(apologyShortAnswer("I'm sorry, but I can't help with that.")).toMatchObject({ apology: "sorry", limit: 80 });
    expect(apologyShortAnswer(`Sorry. ${words(78)}`)).toMatchObject({ length: 79 });
    expect(apologyShortAnswer(`Sorry. ${words(79)}`)).toBeUndefined(); // 80 words: a real answer
    expect(apologyShortAnswer("I cannot help with that.")).toBeUndefined(); // no apology word
  });
  it("Chinese: an apology under 80 × 1.5 = 120 characters", () => {
    expect(apologyShortAnswer("很抱歉，我无法回答这个问题。")).toMatchObject({ apology: "抱歉", limit: 120 });
    expect(apologyShortAnswer("对不起，我不能这样做。")).toMatchObject({ apology: "对不起" });
    expect(apologyShortAnswer("很遗憾，这件事办不到。")).toMatchObject({ apology: "很遗憾" });
    expect(apologyShortAnswer(`抱歉${"好".repeat(117)}。`)).toMatchObject({ length: 119 });
    expect(apologyShortAnswer(`抱歉${"好".repeat(118)}。`)).toBeUndefined();
  });
});

describe("rule 3: only punctuation and stop words", () => {
  it("fires on stop-word-only answers in English, Chinese and both", () => {
    expect(onlyPunctuationAndStopwords("It is what it is, and that is all there is to it.")).toBe(true);
    expect(onlyPunctuationAndStopwords("Well... so it is; and there it is!")).toBe(true);
    expect(onlyPunctuationAndStopwords("就是这样的，也就是这样了。")).toBe(true);
    expect(onlyPunctuationAndStopwords("嗯，这个嘛，就是那样的。")).toBe(true);
    expect(onlyPunctuationAndStopwords("…!?。，")).toBe(true);
    expect(onlyPunctuationAndStopwords("")).toBe(true);
  });
  it("does not fire on answers with content", () => {
    expect(onlyPunctuationAndStopwords("It is blue because of Rayleigh scattering.")).toBe(false);
    expect(onlyPunctuationAndStopwords("天空是蓝色的，因为瑞利散射。")).toBe(false);
    expect(onlyPunctuationAndStopwords("It is 42.")).toBe(false);
  });
});

describe("rule 1: the judge's verdict", () => {
  it("never reads Not Equal as Equal", () => {
    for (const reply of ["Not Equal", "not equal.", "**Not Equal**", "Judgement: Not Equal", "Not Equal — B adds a word limit", "\n  Not Equal\n", "Unequal", "不相等"]) {
      expect(parseEqualVerdict(reply), reply).toBe("not_equal");
    }
    for (const reply of ["Equal", "Equal.", "**Equal**", "Verdict: equal", '"Equal"', "相等"]) {
      expect(parseEqualVerdict(reply), reply).toBe("equal");
    }
  });
  it("refuses anything that is not a whole verdict", () => {
    for (const reply of ["Hmm, hard to say.", "Equally hard", "They are not equal in length but", "The answer is Equal", "", "Both have merits. Equal"]) {
      expect(parseEqualVerdict(reply), reply).toBeUndefined();
    }
  });
});

describe("similarity to the parent", () => {
  it("is 1 for a copy and low for a rewrite, in English and Chinese", () => {
    expect(rougeLSimilarity("Explain why the sky is blue.", "Explain why the sky is blue")).toBe(1);
    expect(rougeLSimilarity("解释天空为什么是蓝色的。", "解释天空为什么是蓝色的")).toBe(1);
    expect(rougeLSimilarity("Explain why the sky is blue.", "Describe how lighthouse keepers kept their logs.")).toBeLessThan(0.3);
  });
});

describe("family classifier", () => {
  it("spots programming tasks by fences, language names and vocabulary", () => {
    expect(classifyFamily("Write a Python function that reverses a list.")).toBe("code");
    expect(classifyFamily("What does this print?\n```\nx = 1\n```")).toBe("code");
    expect(classifyFamily("Implement a function that checks whether a string is a palindrome.")).toBe("code");
    expect(classifyFamily("用递归算法计算斐波那契数列。")).toBe("code");
    expect(classifyFamily("Give three tips for staying healthy.")).toBe("general");
    expect(classifyFamily("Describe the function of the heart.")).toBe("general");
    expect(classifyFamily("解释为什么天空是蓝色的。")).toBe("general");
  });
});

describe("operation choice", () => {
  it("is a reproducible draw per (seed, round, index) that follows the weights", () => {
    const weights = defaultWeights();
    const draw = (seed: number) => Array.from({ length: 300 }, (_, i) => chooseOperation(weights, "general", seed, 1 + (i % 3), i));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    // The reference's five released prompts (complicate_input is opt-in): see test/evolve/defaults.test.ts.
    expect(new Set(draw(42)).size).toBe(5);

    const skewed = parseOperationWeights("deepen=9,breadth=1");
    const picks = Array.from({ length: 1000 }, (_, i) => chooseOperation(skewed, "general", 1, 1, i));
    const deepen = picks.filter((p) => p === "deepen").length;
    expect(deepen).toBeGreaterThan(850);
    expect(deepen).toBeLessThan(950);
    expect(new Set(picks)).toEqual(new Set(["deepen", "breadth"]));
  });
  it("rejects bad --ops", () => {
    expect(() => parseOperationWeights("deepen=1,shout=2")).toThrow(/unknown operation 'shout'/);
    expect(() => parseOperationWeights("deepen=-1")).toThrow(/must be a number ≥ 0/);
    expect(() => parseOperationWeights("deepen,deepen")).toThrow(/listed twice/);
    expect(() => parseOperationWeights("deepen=0")).toThrow(/no operation/);
  });
});
