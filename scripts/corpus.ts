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
