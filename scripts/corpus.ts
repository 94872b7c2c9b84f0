/**
 * The benches' deterministic English corpus: pronounceable words with Zipf(1) ranks over a
 * 20K-word vocabulary, so tokenizers and similarity filters see something shaped like text.
 */
import { seededRandom } from "../src/text/random.js";

const SYLLABLES = ["ka", "lo", "mi", "ten", "ra", "vo", "sel", "du", "pri", "an", "chi", "mor", "es", "ta", "gu", "lin", "be", "no", "fra", "ox"];

/** A pronounceable word for rank r (so the text looks like text to the tokenizer). */
function wordOfRank(rank: number): string {
  let word = "";
  let r = rank;
  do {
    word += SYLLABLES[r % SYLLABLES.length];
    r = Math.floor(r / SYLLABLES.length);
  } while (r > 0);
  return word;
}

/** Alpaca-like instructions: 5–40 words, Zipf(1) word ranks over 20K words, ~5% planted near-duplicates. */
export function* instructions(count: number, seed: number): Generator<string> {
  const random = seededRandom(seed);
  const recent: string[][] = [];
  const word = (): string => wordOfRank(Math.floor(Math.exp(random() * Math.log(20_000))));
  for (let i = 0; i < count; i++) {
    let words: string[];
    if (recent.length > 0 && random() < 0.05) {
      words = [...recent[Math.floor(random() * recent.length)]!];
      const edits = 1 + Math.floor(random() * 2);
      for (let e = 0; e < edits; e++) words[Math.floor(random() * words.length)] = word();
    } else {
      const length = 5 + Math.floor(Math.pow(random(), 1.5) * 36);
      words = Array.from({ length }, word);
      words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
    }
    if (recent.length < 5000) recent.push(words);
    else recent[Math.floor(random() * recent.length)] = words;
    yield `${words.join(" ")}.`;
  }
}

export interface CorpusRecord {
  instruction: string;
  input: string;
  output: string;
}

/**
 * Alpaca-like whole records, shaped like Alpaca's 52K (about 13 + 6 + 44 words on average there;
 * here instruction 5–40, input empty 60% of the time else 5–60, output 5–100 words), with ~4%
 * near-duplicates (an earlier record with 1–3 words replaced anywhere in it) and ~1% exact copies.
 */
export function* wholeRecords(count: number, seed: number): Generator<CorpusRecord> {
  const random = seededRandom(seed);
  const word = (): string => wordOfRank(Math.floor(Math.exp(random() * Math.log(20_000))));
  const words = (min: number, max: number): string[] => Array.from({ length: min + Math.floor(Math.pow(random(), 1.5) * (max - min + 1)) }, word);
  const sentence = (list: string[]): string => (list.length === 0 ? "" : `${list[0]!.charAt(0).toUpperCase()}${list[0]!.slice(1)} ${list.slice(1).join(" ")}.`.replace(" .", "."));
  const recent: string[][][] = [];
  for (let i = 0; i < count; i++) {
    let parts: string[][];
    const roll = random();
    if (recent.length > 0 && roll < 0.05) {
      parts = recent[Math.floor(random() * recent.length)]!.map((part) => [...part]);
      const edits = roll < 0.01 ? 0 : 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const part = parts[Math.floor(random() * 3)]!;
        if (part.length > 0) part[Math.floor(random() * part.length)] = word();
      }
    } else {
      parts = [words(5, 40), random() < 0.6 ? [] : words(5, 60), words(5, 100)];
    }
    if (recent.length < 5000) recent.push(parts);
    else recent[Math.floor(random() * recent.length)] = parts;
    yield { instruction: sentence(parts[0]!), input: sentence(parts[1]!), output: sentence(parts[2]!) };
  }
}

/** `count` whole records in parts of at most a million, part i from seed + i (so 10M records are ten 1M corpora in a row). */
export function* wholeRecordParts(count: number, seed: number): Generator<CorpusRecord> {
  for (let part = 0; part * 1_000_000 < count; part++) yield* wholeRecords(Math.min(1_000_000, count - part * 1_000_000), seed + part);
}
