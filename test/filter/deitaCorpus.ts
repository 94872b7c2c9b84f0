/**
 * 1,000 records for the Deita selection tests: 700 composed at random from small word lists (so
 * two of them share little beyond function words), and 300 near duplicates of earlier ones (one
 * word of the instruction changed, the same output), which any similarity measure must catch.
 * Every record passes the filter's heuristic rules.
 */
import type { AlpacaRecord } from "../../src/schemas.js";
import { seededRandom } from "../../src/text/random.js";

const VERBS = ["Explain", "Describe", "Summarize", "Compare", "Evaluate", "Outline", "Discuss", "Analyze", "Illustrate", "Justify"];
const ADJECTIVES = ["ancient", "modern", "rural", "urban", "coastal", "alpine", "tropical", "arctic", "digital", "manual", "public", "private", "local", "global", "fragile", "robust", "seasonal", "annual", "nightly", "daily", "quiet", "noisy", "steady", "sudden", "careful", "bold", "humble", "grand", "narrow", "wide"];
const NOUNS = ["bridge", "river", "market", "school", "harbor", "library", "forest", "festival", "railway", "garden", "museum", "factory", "orchard", "glacier", "village", "theater", "hospital", "bakery", "vineyard", "lighthouse", "monastery", "stadium", "canal", "quarry", "observatory", "workshop", "archive", "pasture", "reservoir", "embassy", "laboratory", "cathedral", "courthouse", "brewery", "marina", "plantation", "tunnel", "aqueduct", "windmill", "greenhouse"];
const PLACES = ["spring", "winter", "autumn", "summer", "wartime", "peacetime", "a drought", "a flood", "a census", "an election"];

export interface DeitaCorpus {
  records: AlpacaRecord[];
  /** For each near duplicate (by index), the index of the record it copies. */
  copies: Map<number, number>;
}

export function deitaCorpus(size = 1000, nearDuplicates = 300, seed = 17): DeitaCorpus {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const records: AlpacaRecord[] = [];
  const copies = new Map<number, number>();
  const originals = size - nearDuplicates;
  for (let i = 0; i < originals; i++) {
    const [a, b, c, d] = [pick(NOUNS), pick(NOUNS), pick(NOUNS), pick(NOUNS)];
    records.push({
      instruction: `${pick(VERBS)} the ${pick(ADJECTIVES)} ${a} of the ${b} for a ${pick(ADJECTIVES)} ${c}.`,
      input: "",
      output: `The ${a} and the ${b} are ${pick(ADJECTIVES)} because they shape the ${c} in ${pick(PLACES)}. This is why the ${d} matters to every ${pick(NOUNS)} visitor ${i}.`,
    });
  }
  for (let i = originals; i < size; i++) {
    const source = Math.floor(random() * originals);
    const original = records[source]!;
    const words = original.instruction.split(" ");
    words[2] = pick(ADJECTIVES.filter((adjective) => adjective !== words[2]));
    records.push({ instruction: words.join(" "), input: "", output: original.output });
    copies.set(i, source);
  }
  return { records, copies };
}
