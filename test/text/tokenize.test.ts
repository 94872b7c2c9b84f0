import { describe, expect, it } from "vitest";
import { tokenize, tokenizeEnglish, Vocabulary } from "../../src/text/tokenize.js";
import { toSimplified } from "../../src/text/simplified.js";
import { countWords, detectLanguage, hanShare } from "../../src/text/language.js";
import { seededRandom } from "./random.js";

// Expected lists written by hand from rouge_score's rules: lowercase, every char outside [a-z0-9]
// is a separator, split, drop empties.
const ROUGE_CASES: Array<[string, string[]]> = [
  ["Give three tips for staying healthy.", ["give", "three", "tips", "for", "staying", "healthy"]],
  ["  Hello,   WORLD!!  ", ["hello", "world"]],
  ["Don't stop-believing", ["don", "t", "stop", "believing"]],
  ["It's 3.14, not 22/7 (approx.)", ["it", "s", "3", "14", "not", "22", "7", "approx"]],
  ["Café résumé naïve", ["caf", "r", "sum", "na", "ve"]],
  ["ÉCOLE", ["cole"]],
  ["Hi 😀 there🎉!", ["hi", "there"]],
  ["snake_case and camelCase", ["snake", "case", "and", "camelcase"]],
  ["C++ vs C# vs F#", ["c", "vs", "c", "vs", "f"]],
  ["e-mail: a@b.com\tline\nbreak", ["e", "mail", "a", "b", "com", "line", "break"]],
  ["ＦＵＬＬＷＩＤＴＨ text", ["text"]],
  ["Straße", ["stra", "e"]],
  ["İstanbul", ["i", "stanbul"]],
  ["...!!!", []],
  ["", []],
  ["中文 and English", ["and", "english"]],
];

describe("tokenizeEnglish (rouge_score parity)", () => {
  it.each(ROUGE_CASES)("%j", (text, expected) => {
    expect(tokenizeEnglish(text)).toEqual(expected);
  });
});

describe("tokenize (mixed)", () => {
  it("equals rouge_score on text without Han or Kana", () => {
    for (const [text, expected] of ROUGE_CASES.filter(([text]) => !/中/.test(text))) expect(tokenize(text)).toEqual(expected);
  });

  it("makes each Han and Kana character a token and keeps Latin runs", () => {
    expect(tokenize("用Python写一个函数，返回 n 的阶乘。")).toEqual(["用", "python", "写", "一", "个", "函", "数", "返", "回", "n", "的", "阶", "乘"]);
    // Kanji go through the Simplified normalisation too: harmless, both sides get the same form.
    expect(tokenize("コーヒーを飲む")).toEqual(["コ", "ー", "ヒ", "ー", "を", "饮", "む"]);
  });

  it("normalises Traditional to Simplified and full-width to ASCII when Han is present", () => {
    expect(tokenize("請寫一篇關於環境保護的文章")).toEqual(tokenize("请写一篇关于环境保护的文章"));
    expect(tokenize("計算１２＋ＡＢ")).toEqual(["计", "算", "12", "ab"]);
    expect(toSimplified("no han here")).toBe("no han here");
  });
});

describe("Traditional → Simplified before comparing", () => {
  it("maps Taiwan phrasing to mainland phrasing", () => {
    expect(tokenize("這個軟體的資訊")).toEqual(tokenize("这个软件的信息"));
  });

  it("leaves text that is already Simplified alone (phrase conversion would turn 程序 into 进程)", () => {
    expect(toSimplified("这个程序建立了一个文件")).toBe("这个程序建立了一个文件");
    expect(tokenize("程序")).not.toEqual(tokenize("进程"));
  });
});

describe("Vocabulary", () => {
  it("interns tokens to dense ids", () => {
    const vocabulary = new Vocabulary();
    expect([...vocabulary.encode(["a", "b", "a"])]).toEqual([0, 1, 0]);
    expect(vocabulary.find("b")).toBe(1);
    expect(vocabulary.find("zzz")).toBe(-1);
    expect(vocabulary.size).toBe(2);
  });

  it("encodeAscii gives the ids of tokenizeEnglish + encode/find, for every ASCII text", () => {
    const random = seededRandom(5);
    const alphabet = "abcXYZ019 .,-'\t\n!?_()Q";
    const fast = new Vocabulary();
    const slow = new Vocabulary();
    for (let t = 0; t < 3000; t++) {
      const length = Math.floor(random() * 40);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const intern = random() < 0.5;
      const tokens = tokenizeEnglish(text);
      const expected = intern ? [...slow.encode(tokens)] : tokens.map((token) => slow.find(token));
      expect([...fast.encodeAscii(text, intern)!], JSON.stringify(text)).toEqual(expected);
    }
    expect(fast.size).toBe(slow.size);
    expect(fast.size).toBeGreaterThan(1000); // the hash table grew several times on the way
  });

  it("encodeAscii declines text with a non-ASCII character (Unicode lowercasing decides those)", () => {
    const vocabulary = new Vocabulary();
    expect(vocabulary.encodeAscii("caf\u00e9 au lait", true)).toBeUndefined();
    expect(vocabulary.encodeAscii("\u212a is a Kelvin sign", true)).toBeUndefined(); // lowercases to ASCII "k"
    expect(vocabulary.size).toBe(0);
  });
});

describe("language", () => {
  it("measures the Han share and detects zh vs en", () => {
    expect(hanShare("hello")).toBe(0);
    expect(hanShare("你好")).toBe(1);
    expect(hanShare("")).toBe(0);
    expect(detectLanguage("请你写出一个可以生成五个不同随机数的 Python 程序。")).toBe("zh");
    expect(detectLanguage("把下面的句子翻译成英文：The weather is nice today.")).toBe("zh");
    expect(detectLanguage("Translate 我爱你 into English, please, and explain it.")).toBe("en");
    expect(detectLanguage("看看这个 ```python\nprint('hello world, this is long code')\n``` 的输出")).toBe("zh");
  });

  it("counts English words by whitespace and Chinese characters without punctuation", () => {
    expect(countWords("  Give three   tips. ", "en")).toBe(3);
    // Same as splitting on JavaScript's \s, for every whitespace character there is.
    const spaces = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((ch) => /\s/.test(ch));
    expect(spaces.length).toBe(25);
    const random = seededRandom(8);
    for (let t = 0; t < 500; t++) {
      const text = Array.from({ length: Math.floor(random() * 30) }, () => (random() < 0.4 ? spaces[Math.floor(random() * spaces.length)]! : "ab\u00e9"[Math.floor(random() * 3)]!)).join("");
      expect(countWords(text, "en"), JSON.stringify(text)).toBe(text.split(/\s+/).filter((word) => word !== "").length);
    }
    expect(countWords("给出三个建议。 ok", "zh")).toBe(8);
  });
});
