/**
 * The verb–object diversity data: root verb → direct-object counts over (a sample of) the English
 * instructions. Chinese instructions are counted but not charted: the only offline Chinese POS
 * tagger on npm (@node-rs/jieba) ships native binaries that this project's registry carries for
 * Linux only, which breaks `npm ci` elsewhere, and its chart was never measured to be right.
 */
import { detectLanguage } from "../../text/language.js";
import { extractVerbObject, type VerbObject } from "./english.js";

export interface VerbSlice {
  verb: string;
  /** Records with this verb and one of the objects shown (the inner ring's arc). */
  count: number;
  objects: Array<{ object: string; count: number }>;
}

export interface VerbNounChart {
  language: "en";
  /** Instructions of this language looked at (a sample when the run is large). */
  analysed: number;
  /** All instructions of this language in the run. */
  total: number;
  withPair: number;
  /** No verb, or a verb without a noun object ("What is …?", "Decide whether …"): left out of the chart. */
  withoutPair: number;
  verbs: VerbSlice[];
}

export const TOP_VERBS = 20;
export const OBJECTS_PER_VERB = 4;
/** Tagging costs ~1 ms per instruction; an even sample keeps 52K-record reports to a few seconds. */
export const VERB_SAMPLE_LIMIT = 3000;

export function verbNounCharts(instructions: readonly string[], sampleLimit = VERB_SAMPLE_LIMIT): VerbNounChart[] {
  const english = instructions.filter((instruction) => detectLanguage(instruction) === "en");
  if (english.length === 0) return [];
  return [chartFor("en", english, evenSample(english, sampleLimit).map((text) => extractVerbObject(text)), english.length)];
}

function chartFor(language: "en", all: readonly string[], results: Array<VerbObject | null>, total: number): VerbNounChart {
  const counts = new Map<string, Map<string, number>>();
  let withPair = 0;
  for (const result of results) {
    if (!result?.object) continue;
    withPair++;
    const objects = counts.get(result.verb) ?? new Map<string, number>();
    objects.set(result.object, (objects.get(result.object) ?? 0) + 1);
    counts.set(result.verb, objects);
  }
  const verbs = [...counts].map(([verb, objects]) => {
    const top = topEntries(objects, OBJECTS_PER_VERB).map(([object, count]) => ({ object, count }));
    return { verb, total: sum(objects.values()), count: sum(top.map((o) => o.count)), objects: top };
  });
  verbs.sort((a, b) => b.total - a.total || a.verb.localeCompare(b.verb));
  const shown = verbs.slice(0, TOP_VERBS).map(({ verb, count, objects }) => ({ verb, count, objects }));
  return { language, analysed: results.length, total: total || all.length, withPair, withoutPair: results.length - withPair, verbs: shown };
}

/** Every k-th item, so the sample spans the whole run (early and late rounds alike). */
export function evenSample<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)]!);
}

function topEntries(counts: Map<string, number>, n: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
