import { describe, expect, it } from "vitest";
import { ExactIndex, exactFingerprint, FingerprintTable, normalizeForExact } from "../../src/text/exact.js";
import { murmur3AsciiTokens, murmur3String } from "../../src/text/hash.js";
import { tokenizeEnglish } from "../../src/text/tokenize.js";
import { candidateProbability, chooseBands, LshSketcher, MinHashLsh } from "../../src/text/lsh.js";
import { estimateJaccard, MinHasher } from "../../src/text/minhash.js";
import { jaccard, shingleHashes } from "../../src/text/shingle.js";
import { perturb, randomChinese, randomInt, randomSentence, seededRandom } from "./random.js";

/** Exact Jaccard of the shingle sets, computed with strings (no hashing) as the reference. */
function stringShingleJaccard(a: string[], b: string[], n: number): number {
  const shingles = (tokens: string[]): Set<string> => {
    const set = new Set<string>();
    const width = Math.min(n, tokens.length);
    for (let i = 0; i + width <= tokens.length; i++) set.add(tokens.slice(i, i + width).join(" "));
    return set;
  };
  const sa = shingles(a);
  const sb = shingles(b);
  let shared = 0;
  for (const s of sa) if (sb.has(s)) shared++;
  return shared / (sa.size + sb.size - shared);
}

function nearDuplicatePairs(seed: number, count: number): Array<[string[], string[]]> {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const a = randomSentence(random, 5, 40, 5000);
    return [a, perturb(random, a, randomInt(random, 0, 8), () => randomSentence(random, 1, 1, 5000)[0]!)];
  });
}

describe("shingles", () => {
  it("hash word 3-grams exactly like string shingles (no collisions on these)", () => {
    for (const [a, b] of nearDuplicatePairs(1, 300)) {
      expect(jaccard(shingleHashes(a.join(" ")), shingleHashes(b.join(" ")))).toBeCloseTo(stringShingleJaccard(a, b, 3), 12);
    }
  });

  it("treat a text shorter than n as one shingle and an empty text as no shingles", () => {
    expect(shingleHashes("two words").length).toBe(1);
    expect(shingleHashes("!!!").length).toBe(0);
    expect(jaccard(shingleHashes("two words"), shingleHashes("Two  WORDS!"))).toBe(1);
  });

  it("use character bigrams for Chinese", () => {
    expect(shingleHashes("保持健康").length).toBe(3);
  });

  it("murmur3 has (almost) no collisions on 100K distinct short Chinese strings", () => {
    const random = seededRandom(3);
    const grams = new Set<string>();
    while (grams.size < 100_000) grams.add(randomChinese(random, 2, 2).join("") + String.fromCharCode(0x4e00 + randomInt(random, 0, 20000)));
    expect(new Set([...grams].map((gram) => murmur3String(gram))).size).toBeGreaterThanOrEqual(grams.size - 3);
  });
});

describe("MinHash", () => {
  const pairs = nearDuplicatePairs(2, 1500).map(([a, b]) => [shingleHashes(a.join(" ")), shingleHashes(b.join(" "))] as const);

  // The estimate is a binomial share: its standard deviation is √(J(1−J)/k). With k=128 that is
  // 0.044 at J=0.5, so ±0.05 for 95% of pairs needs k≈512; with 128 the 95% band is ±0.1.
  it.each([
    [512, 0.05],
    [128, 0.1],
  ])("with %i permutations, estimates are within ±%f of the exact Jaccard for at least 95 percent of pairs", (numPerm, tolerance) => {
    const hasher = new MinHasher(numPerm);
    const close = pairs.filter(([a, b]) => Math.abs(estimateJaccard(hasher.signature(a), hasher.signature(b)) - jaccard(a, b)) <= tolerance);
    expect(close.length / pairs.length).toBeGreaterThanOrEqual(0.95);
  });

  it("gives identical sets identical signatures and disjoint sets ~0", () => {
    const hasher = new MinHasher();
    const [a] = pairs[0]!;
    expect(estimateJaccard(hasher.signature(a), hasher.signature(Uint32Array.from(a)))).toBe(1);
    expect(estimateJaccard(hasher.signature(Uint32Array.of(1, 2, 3)), hasher.signature(Uint32Array.of(4, 5, 6)))).toBeLessThan(0.1);
  });
});

describe("MinHash LSH", () => {
  it("chooses bands × rows with high recall just above the threshold", () => {
    const layout = chooseBands(0.8, 128);
    expect(layout.bands * layout.rows).toBeLessThanOrEqual(128);
    expect(candidateProbability(0.85, layout)).toBeGreaterThan(0.95);
    expect(candidateProbability(0.4, layout)).toBeLessThan(0.01);
  });

  it("recalls ≥95% of planted near-duplicates with Jaccard ≥ threshold + 0.05, and never accepts below the threshold", () => {
    const random = seededRandom(5);
    const lsh = new MinHashLsh<number>({ threshold: 0.8 });
    const originals: string[][] = [];
    for (let i = 0; i < 3000; i++) {
      const tokens = randomSentence(random, 12, 40, 20000);
      originals.push(tokens);
      lsh.add(i, tokens.join(" "));
    }
    let planted = 0;
    let found = 0;
    for (let i = 0; i < 3000 && planted < 600; i++) {
      const copy = perturb(random, originals[i]!, randomInt(random, 1, 2), () => randomSentence(random, 1, 1, 20000)[0]!);
      const exact = jaccard(shingleHashes(copy.join(" ")), shingleHashes(originals[i]!.join(" ")));
      const match = lsh.query(copy.join(" "));
      if (match) expect(match.score).toBeGreaterThanOrEqual(0.8);
      if (exact < 0.85) continue;
      planted++;
      if (match?.id === i) found++;
    }
    expect(planted).toBeGreaterThan(200);
    expect(found / planted).toBeGreaterThanOrEqual(0.95);
    expect(lsh.query(randomSentence(random, 20, 20, 20000).join(" "))).toBeUndefined();
  });

  it("finds exactly the best record among those sharing a band key, however it is filled (reserved, query then add, add alone)", () => {
    // Reference: every earlier record sharing any band key is a candidate; the answer is the best
    // exact Jaccard ≥ threshold among them (earliest on ties). Half of all band keys have the top
    // bit set, so a table that lost those would miss candidates here.
    const random = seededRandom(11);
    const sketcher = new LshSketcher({ threshold: 0.8 });
    const texts: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const earlier = texts.length > 0 && random() < 0.3 ? texts[randomInt(random, 0, texts.length - 1)]!.split(" ") : undefined;
      texts.push((earlier ? perturb(random, earlier, randomInt(random, 1, 3), () => randomSentence(random, 1, 1, 3000)[0]!) : randomSentence(random, 8, 30, 3000)).join(" "));
    }
    const sketches = texts.map((text) => sketcher.sketch(text));
    const reference = (i: number, kept: number[]): { id: number; score: number } | undefined => {
      let best: { id: number; score: number } | undefined;
      for (const j of kept) {
        if (!sketches[j]!.bandKeys.some((key, band) => key === sketches[i]!.bandKeys[band])) continue;
        const score = jaccard(sketches[j]!.shingles, sketches[i]!.shingles);
        if (score >= 0.8 && (best === undefined || score > best.score)) best = { id: j, score };
      }
      return best;
    };
    for (const fill of ["reserved", "grown", "add only"] as const) {
      const lsh = new MinHashLsh<number>({ threshold: 0.8 });
      if (fill === "reserved") lsh.reserve(texts.length);
      const kept: number[] = [];
      let dropped = 0;
      texts.forEach((text, i) => {
        const expected = reference(i, kept);
        if (fill !== "add only") {
          const match = lsh.querySketch(sketches[i]!);
          expect(match, `record ${i}, ${fill}`).toEqual(expected);
          if (match) dropped++;
          else (kept.push(i), lsh.addSketch(i, sketches[i]!));
        } else {
          expect(lsh.query(text)).toEqual(expected); // then add every record, queried or not
          kept.push(i);
          lsh.add(i, text);
        }
      });
      if (fill !== "add only") expect(dropped).toBeGreaterThan(40);
    }
  });

  it("catches Chinese near-duplicates and Traditional vs Simplified copies", () => {
    const lsh = new MinHashLsh<string>({ threshold: 0.8 });
    lsh.add("a", "原子由原子核组成，原子核包含质子和中子，周围环绕着围绕原子核运行的电子。质子带正电荷，电子带负电荷。");
    lsh.add("b", "给出三个保持健康的秘诀：均衡饮食，定期锻炼，充足的睡眠。");
    expect(lsh.query("原子由原子核组成，原子核包含质子和中子，周围环绕着绕原子核运行的电子。质子带正电荷，电子带负电荷！")?.id).toBe("a");
    expect(lsh.query("給出三個保持健康的秘訣：均衡飲食，定期鍛煉，充足的睡眠。")?.id).toBe("b");
    expect(lsh.query("描述一下光合作用的过程。")).toBeUndefined();
  });
});

describe("ExactIndex", () => {
  it("matches after case and whitespace normalisation only", () => {
    const index = new ExactIndex<number>();
    index.add(1, "Give three tips.");
    index.add(2, "give  three\ttips.");
    expect(index.find("  GIVE three tips. ")).toBe(1);
    expect(index.find("Give three tips!")).toBeUndefined();
  });
});

describe("FingerprintTable", () => {
  it("keeps the first position per fingerprint through growth, reservation and lookups between adds", () => {
    const random = seededRandom(21);
    const keys = Array.from({ length: 20_000 }, () => [Math.floor(random() * 2 ** 32) | 0, Math.floor(random() * 300) - 150] as const);
    for (const reserved of [0, 30_000]) {
      const table = new FingerprintTable();
      table.reserve(reserved);
      const first = new Map<string, number>();
      keys.forEach(([high, low], position) => {
        const id = `${high}/${low}`;
        expect(table.find(high, low)).toBe(first.get(id) ?? -1);
        if (position % 3 === 0) table.find(low, high); // a lookup of another key in between: its slot must not be reused
        table.add(high, low, position);
        if (!first.has(id)) first.set(id, position);
      });
      expect(table.size).toBe(first.size);
      for (const [id, position] of first) expect(table.find(Number(id.split("/")[0]), Number(id.split("/")[1]))).toBe(position);
    }
  });
});

describe("MinHasher signature: WebAssembly SIMD and JavaScript", () => {
  it("gives bit-identical signatures for any set size and permutation count", () => {
    const random = seededRandom(77);
    for (const numPerm of [126, 128, 64, 7]) {
      const hasher = new MinHasher(numPerm, numPerm);
      for (const size of [0, 1, 3, 70, 1000, 40_000]) {
        const shingles = Uint32Array.from({ length: size }, () => Math.floor(random() * 2 ** 32));
        expect(Array.from(hasher.signature(shingles)), `${numPerm} permutations, ${size} shingles`).toEqual(Array.from(hasher.scalarSignature(shingles)));
      }
    }
  });
});

describe("fast paths for ASCII text", () => {
  const texts = [
    "", " ", "  a  ", "A\tB\n\nC ", "x", "xy", "Hello  World \r\n", "a\u000bb\u000cc", "one-two_three 4five SIX!!",
    ...Array.from({ length: 300 }, (_, i) => randomSentence(seededRandom(i), 1, 60, 500).join(i % 3 === 0 ? "  " : i % 3 === 1 ? "\n" : ", ")),
  ];
  const nonAscii = ["\u00a0a b", "Kelvin \u212a", "café au lait", "中文 ABC", "ÉCOLE école"];

  it("murmur3AsciiTokens hashes exactly the tokens of tokenizeEnglish", () => {
    for (const text of texts) expect(Array.from(murmur3AsciiTokens(text)!), JSON.stringify(text)).toEqual(tokenizeEnglish(text).map((token) => murmur3String(token)));
    for (const text of nonAscii) expect(murmur3AsciiTokens(text)).toBeUndefined();
  });

  it("exactFingerprint hashes exactly the normalised text, ASCII or not", () => {
    for (const text of [...texts, ...nonAscii]) {
      const normalized = normalizeForExact(text);
      expect(exactFingerprint(text), JSON.stringify(text)).toEqual({ high: murmur3String(normalized, 0x5bd1e995), low: murmur3String(normalized, 0x27d4eb2f) });
    }
  });
});
