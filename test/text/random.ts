/** Deterministic test corpora: a seeded PRNG, Zipf-like English words, Chinese characters. */

import { seededRandom } from "../../src/text/random.js";

export { seededRandom };

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Word i of a Zipf-like vocabulary: small i are frequent. */
export function zipfWord(random: () => number, vocabularySize: number): string {
  const rank = Math.floor(Math.exp(random() * Math.log(vocabularySize)));
  return `w${rank.toString(36)}`;
}

export function randomSentence(random: () => number, minWords: number, maxWords: number, vocabularySize = 2000): string[] {
  const words: string[] = [];
  const length = randomInt(random, minWords, maxWords);
  for (let i = 0; i < length; i++) words.push(zipfWord(random, vocabularySize));
  return words;
}

/** A copy with `edits` random substitutions, deletions or insertions. */
export function perturb<T>(random: () => number, items: readonly T[], edits: number, fresh: () => T): T[] {
  const out = [...items];
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1));
    const kind = random();
    if (kind < 0.4 && out.length > 0) out[Math.min(at, out.length - 1)] = fresh();
    else if (kind < 0.7 && out.length > 1) out.splice(Math.min(at, out.length - 1), 1);
    else out.splice(at, 0, fresh());
  }
  return out;
}

const COMMON_HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严";

export function randomChinese(random: () => number, minChars: number, maxChars: number): string[] {
  const chars: string[] = [];
  const length = randomInt(random, minChars, maxChars);
  for (let i = 0; i < length; i++) chars.push(COMMON_HAN[Math.floor(Math.pow(random(), 2) * COMMON_HAN.length)]!);
  return chars;
}

/** Records with planted near-duplicates (a few edits of an earlier record), so decisions are non-trivial. */
export function nearDuplicateTexts(seed: number, count: number, chinese: boolean): string[] {
  const random = seededRandom(seed);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = texts.length > 0 && random() < 0.3 ? texts[Math.floor(random() * texts.length)]! : undefined;
    if (base !== undefined) {
      const tokens = chinese ? [...base] : base.split(" ");
      const fresh = chinese ? () => randomChinese(random, 1, 1)[0]! : () => randomSentence(random, 1, 1, 300)[0]!;
      texts.push(perturb(random, tokens, randomInt(random, 0, 6), fresh).join(chinese ? "" : " "));
    } else {
      texts.push(chinese ? randomChinese(random, 4, 40).join("") : randomSentence(random, 3, 40, 300).join(" "));
    }
  }
  return texts;
}
