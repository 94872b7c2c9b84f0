import { describe, expect, it } from "vitest";
import { CHINESE_BLACKLIST, checkRules, defaultBlacklist, type RuleName } from "../../src/stages/selfInstruct/rules.js";

const en = (instruction: string, output = "An answer.", disabled: RuleName[] = []) =>
  checkRules({ instruction, input: "", output }, { lang: "en", disabled: new Set(disabled), blacklist: defaultBlacklist("en") })?.reason;
const zh = (instruction: string, output = "一个回答。", disabled: RuleName[] = []) =>
  checkRules({ instruction, input: "", output }, { lang: "zh", disabled: new Set(disabled), blacklist: defaultBlacklist("zh") })?.reason;

describe("English rules (the Alpaca recipe)", () => {
  it("passes an ordinary instruction", () => {
    expect(en("Give three tips for staying healthy.")).toBeUndefined();
  });

  it.each([
    ["Tell a joke.", "too_short"],
    ["Say hello now", "too_short"],
    [`Explain ${"very ".repeat(150)}much.`, "too_long"],
    ["Describe the image below in detail.", "blacklisted_word"],
    ["Please GO TO the store and buy milk.", "blacklisted_word"],
    ["Make a flowchart of the hiring process.", "blacklisted_word"],
    ["Write a program that prints the primes.", "write_a_program"],
    ['"Hello" is a greeting; explain its origin.', "starts_with_punctuation"],
    ["¿Cómo estás? Translate this greeting.", "starts_with_non_ascii"],
  ])("rejects %j as %s", (instruction, reason) => {
    expect(en(instruction)).toBe(reason);
  });

  it("matches blacklist words as whole words only", () => {
    expect(en("Summarize the imagery used in this poem.")).toBeUndefined();
    expect(en("Explain how a profile picture affects first impressions.")).toBe("blacklisted_word");
  });

  it("counts exactly four words as long enough", () => {
    expect(en("Name four primary colours")).toBeUndefined();
  });

  it("rejects an empty output", () => {
    expect(en("Give three tips for staying healthy.", "  ")).toBe("empty_output");
  });

  it("lets a switched-off rule pass", () => {
    expect(en("Write a program that prints the primes.", "x", ["program"])).toBeUndefined();
    expect(en("Tell a joke.", "x", ["length"])).toBeUndefined();
  });
});

describe("Chinese rules", () => {
  it("passes an ordinary Chinese instruction, including one that starts with a Han character", () => {
    expect(zh("给出保持健康的三个建议。")).toBeUndefined();
  });

  it.each([
    ["写诗", "too_short"],
    [`请解释${"非常".repeat(80)}重要的原因。`, "too_long"],
    ["根据这张图片写一段描述。", "blacklisted_word"],
    ["打开链接并总结内容。", "blacklisted_word"],
    ["，请解释这句话。", "starts_with_punctuation"],
    ["根据这张折线图说明趋势。", "blacklisted_word"],
    ["Explain how photosynthesis works in plants.", "wrong_language"],
  ])("rejects %j as %s", (instruction, reason) => {
    expect(zh(instruction)).toBe(reason);
  });

  it("lets an instruction open with a book title or a quotation, as BELLE does (it has no punctuation rule)", () => {
    // LianjiaTech/BELLE, data/1.5M/generate_instruction.py: no check on the first character.
    expect(zh("《红楼梦》的作者是谁？请简单介绍他。")).toBeUndefined();
    expect(zh("“春眠不觉晓”的下一句是什么？")).toBeUndefined();
    expect(zh("「少年强则国强」出自哪篇文章？")).toBeUndefined();
  });

  it("scans instruction, input and output with BELLE's substrings; 音乐 is not among them", () => {
    // LianjiaTech/BELLE, data/1.5M/generate_instruction.py: `find_word_in_string(word, inst)` on the whole task text.
    const rule = (instruction: string, input: string, output: string) =>
      checkRules({ instruction, input, output }, { lang: "zh", disabled: new Set(), blacklist: CHINESE_BLACKLIST })?.reason;
    expect(rule("根据下面的数据说明趋势。", "请参考附带的柱形图。", "销量在上升。")).toBe("blacklisted_word");
    expect(rule("推荐一首适合跑步时听的音乐。", "", "《奔跑》节奏明快，适合跑步。")).toBeUndefined();
  });

  it("checks the blacklist over the output too, case-insensitively", () => {
    expect(zh("推荐一个学习英语的好方法。", "可以访问 HTTP://example.com 学习。")).toBe("blacklisted_word");
    expect(zh("介绍一下你自己。", "我是ChatGPT。")).toBe("blacklisted_word");
  });
});
