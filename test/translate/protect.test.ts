import { describe, expect, it } from "vitest";
import { protect, restore, tableShape } from "../../src/stages/translate/protect.js";

/** Round trip with the prose replaced, as a translator would: every protected span must survive. */
function protectedSpans(text: string): string[] {
  return protect(text).spans;
}

describe("protect / restore", () => {
  it("shields code, URLs, e-mails, placeholders and numbers with units, and restores them byte-identically", () => {
    const text = [
      "Run `npm install` and open https://example.com/docs?a=1&b=2 or write to dev.team@example.org.",
      "```python",
      "def greet(name):",
      '    return f"Hello {name}"',
      "```",
      "Dear {name}, your balance is $100 and the file weighs 3.5 GB at 25°C (10% more); see ${HOME} or $PATH, %s, %(count)d, {{ user }}, <noinput>.",
      "Call get_user_id() or userName.trim() in the loop.",
    ].join("\n");
    const spans = protectedSpans(text);
    for (const expected of [
      "`npm install`",
      "https://example.com/docs?a=1&b=2",
      "dev.team@example.org",
      '```python\ndef greet(name):\n    return f"Hello {name}"\n```',
      "{name}",
      "$100",
      "3.5 GB",
      "25°C",
      "10%",
      "${HOME}",
      "$PATH",
      "%s",
      "%(count)d",
      "{{ user }}",
      "<noinput>",
      "get_user_id()",
      "userName.trim()",
    ]) {
      expect(spans).toContain(expected);
    }
    const shielded = protect(text);
    expect(shielded.text).not.toContain("def greet");
    const restored = restore(shielded.text, shielded.spans);
    expect(restored).toEqual({ ok: true, text });
  });

  it("protects unfenced code runs but leaves prose with a stray '=' alone", () => {
    const code = "def isAnagram(s1, s2):\n    if len(s1) != len(s2):\n        return False\n    return sorted(s1) == sorted(s2)";
    expect(protect(code).text).toBe("⟦0⟧");
    const prose = "If x = 5, what is the value of 2x + 3?";
    expect(protect(prose).text).toContain("what is the value");
  });

  it("keeps the table skeleton (pipes and the separator row) and lets cell text be translated", () => {
    const table = "| Planet | Diameter |\n|--------|---------:|\n| Earth | 12742 km |\n| Mars | 6779 km |";
    const shielded = protect(table);
    expect(shielded.text).toContain("Planet");
    expect(shielded.text).toContain("Earth");
    expect(shielded.text).not.toContain("|");
    expect(shielded.spans).toContain("|--------|---------:|");
    expect(tableShape(table)).toEqual([3, 3, 3, 3]);
    const translated = shielded.text.replace("Planet", "行星").replace("Diameter", "直径").replace("Earth", "地球").replace("Mars", "火星");
    const restored = restore(translated, shielded.spans);
    expect(restored).toEqual({ ok: true, text: "| 行星 | 直径 |\n|--------|---------:|\n| 地球 | 12742 km |\n| 火星 | 6779 km |" });
  });

  it("reports missing, duplicated and invented sentinels instead of restoring", () => {
    const shielded = protect("Use `a` and `b` here.");
    expect(shielded.text).toBe("Use ⟦0⟧ and ⟦1⟧ here.");
    expect(restore("使用⟦0⟧。", shielded.spans)).toEqual({ ok: false, missing: ["⟦1⟧"], duplicated: [], unknown: [] });
    expect(restore("使用⟦0⟧和⟦1⟧⟦1⟧⟦7⟧。", shielded.spans)).toEqual({ ok: false, missing: [], duplicated: ["⟦1⟧"], unknown: ["⟦7⟧"] });
    // A model that pads the marker with spaces still gave it back.
    expect(restore("使用⟦ 0 ⟧和⟦1⟧。", shielded.spans)).toEqual({ ok: true, text: "使用`a`和`b`。" });
  });

  it("treats marker-like text already in the source as protected content", () => {
    const shielded = protect("The notation ⟦3⟧ means a closed interval.");
    expect(shielded.spans).toEqual(["⟦3⟧"]);
    expect(restore(shielded.text.replace("The notation", "记号").replace("means a closed interval.", "表示闭区间。"), shielded.spans)).toEqual({ ok: true, text: "记号 ⟦3⟧ 表示闭区间。" });
  });
});

describe("normalizeToSimplified", () => {
  it("converts Traditional sentences at phrase level and leaves Simplified ones alone", async () => {
    const { normalizeToSimplified } = await import("../../src/text/simplified.js");
    expect(normalizeToSimplified("這個軟體的資訊很有用。")).toEqual({ text: "这个软件的信息很有用。", converted: true });
    // 'twp' alone would turn 程序 into 进程 and 建立 into 创建 here: Simplified text must not change.
    expect(normalizeToSimplified("程序员建立了一个文件。")).toEqual({ text: "程序员建立了一个文件。", converted: false });
    expect(normalizeToSimplified("这个程序建立了索引。這個軟體很好。")).toEqual({ text: "这个程序建立了索引。这个软件很好。", converted: true });
  });
});
