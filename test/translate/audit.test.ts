import { describe, expect, it } from "vitest";
import { auditChineseRecord, translatedCodeLines } from "../../src/stages/translate/audit.js";
import { classifyLanguageSpecific } from "../../src/stages/translate/languageSpecific.js";

describe("audit of already-Chinese records", () => {
  it("finds code whose keywords or identifiers were translated, and not clean code or prose", () => {
    expect(translatedCodeLines("def 求和（数字）：\n    如果 数字 == 0：\n        返回 0\n    返回 数字 + 1")).toEqual([
      "def 求和（数字）：",
      "如果 数字 == 0：",
      "返回 0",
      "返回 数字 + 1",
    ]);
    expect(translatedCodeLines('def total(items):\n    # 计算总价\n    return sum(items)  # 返回总和\nprint("总价")')).toEqual([]);
    expect(translatedCodeLines("如果 x = 5，那么 2x + 3 等于多少？")).toEqual([]);
  });

  it("names Traditional characters and language-specific tasks", () => {
    const findings = auditChineseRecord({ instruction: "为单词“moon”写三个押韵的词。", input: "", output: "這個軟體的資訊" });
    expect(findings.map((f) => f.issue)).toEqual(["traditional", "language_specific:rhyme"]);
    expect(findings[0]!.evidence).toContain("這→这");
    expect(auditChineseRecord({ instruction: "程序员如何建立一个文件索引？", input: "", output: "先创建一个列表。" })).toEqual([]);
  });

  it("classifies Chinese instructions with the same reasons, sparing code tasks", () => {
    expect(classifyLanguageSpecific({ instruction: "把这句话翻译成法语。" }, "zh")?.reason).toBe("translation");
    expect(classifyLanguageSpecific({ instruction: "纠正下面句子中的拼写错误。" }, "zh")?.reason).toBe("spelling");
    expect(classifyLanguageSpecific({ instruction: "写一个函数判断字符串是否为回文。" }, "zh")).toBeUndefined();
    expect(classifyLanguageSpecific({ instruction: "写一首关于春天的诗。" }, "zh")).toBeUndefined();
  });
});
