/**
 * The simulator's (a TEST DOUBLE, not a model) answer to the translate stage's prompt: a
 * deterministic pseudo-translation. Each English word maps to one or two Chinese characters
 * from a fixed bank (by hash, so the same word always gives the same characters), punctuation
 * becomes full-width, and every ⟦n⟧ marker is copied once, in place. It is not Chinese anyone can
 * read; it only has the shape the stage checks (Han share, length, markers, JSON keys).
 *
 * Knobs (rates in [0, 1], drawn per record except `notJsonRate`, per reply) plant the failures
 * real translators show:
 *   translate.dropSentinelRate       one marker left out
 *   translate.duplicateSentinelRate  one marker written twice
 *   translate.englishRate            the record comes back untranslated (English)
 *   translate.traditionalRate        Traditional characters (這個軟體的資訊…)
 *   translate.answerRate             the instruction is answered instead of translated (long)
 *   translate.notJsonRate            prose around the translation instead of a JSON object
 */
import { z } from "zod";
import { hashString } from "../rng.js";
import type { Rng, SimHandler, SimKnobs, SimRequest } from "../types.js";

const SOURCE_MARKER = "\nSource:\n";

const SIMPLIFIED_BANK = [..."的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞",
];

/** Traditional forms whose Simplified counterparts OpenCC ('twp' → 'cn') knows. */
const TRADITIONAL_BANK = ["這個", "軟體", "資訊", "網路", "電腦", "語言", "學習", "問題", "時間", "開發", "應用", "資料", "說明", "處理", "實際", "關係", "設計", "經驗", "環境", "機會", "歷史", "國際", "議題", "體驗"];

const ANSWER_SENTENCES = [
  "这是一个很好的问题，下面我来详细地回答。",
  "首先，我们需要了解问题的背景和已知的条件。",
  "其次，可以把问题拆分成几个更小的部分，逐一进行分析。",
  "在实际生活中，这样的方法可以用在许多不同的场合。",
  "另外，比较不同的方案时要同时考虑成本、风险和所需要的时间。",
  "最后，总结经验并不断改进，才能得到更加可靠的结果。",
  "希望以上的回答能够对你有所帮助，如果还有其他问题欢迎继续提问。",
];

const FULL_WIDTH: Record<string, string> = { ".": "。", ",": "，", "?": "？", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）" };

/** List numbers ("1. ") keep their ASCII dot, as a translator would. */
const TOKEN = /⟦\s*\d+\s*⟧|[A-Za-z]+(?:'[A-Za-z]+)?|\d+\.(?= )|\d+(?:\.\d+)?|\n|[ \t]+|./gsu;
const SENTINEL = /^⟦\s*\d+\s*⟧$/;

const RecordsPayload = z.record(z.string(), z.record(z.string(), z.string()));
type RecordsPayload = z.infer<typeof RecordsPayload>;

function sourceRecords(prompt: string): RecordsPayload | undefined {
  const at = prompt.lastIndexOf(SOURCE_MARKER);
  if (at < 0) return undefined;
  try {
    const parsed = RecordsPayload.safeParse(JSON.parse(prompt.slice(at + SOURCE_MARKER.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Word → characters, by hash: stable across requests, so retries and batches agree. */
function wordToChinese(word: string, traditional: boolean): string {
  const hash = hashString(word.toLowerCase());
  if (traditional) return TRADITIONAL_BANK[hash % TRADITIONAL_BANK.length]!;
  const bank = SIMPLIFIED_BANK;
  const first = bank[hash % bank.length]!;
  return word.length > 4 ? first + bank[Math.floor(hash / bank.length) % bank.length]! : first;
}

export function pseudoTranslate(text: string, traditional = false): string {
  let out = "";
  for (const token of text.match(TOKEN) ?? []) {
    if (SENTINEL.test(token) || token === "\n" || /^\d/.test(token)) out += token;
    else if (/^[A-Za-z]/.test(token)) out += wordToChinese(token, traditional);
    else if (/^[ \t]+$/.test(token)) continue; // Chinese puts no spaces between words
    else out += FULL_WIDTH[token] ?? token;
  }
  return out;
}

interface RecordDamage {
  english: boolean;
  traditional: boolean;
  answer: boolean;
  dropSentinel: boolean;
  duplicateSentinel: boolean;
}

function drawDamage(rng: Rng, knobs: SimKnobs): RecordDamage {
  const rate = (name: string): number => knobs[`translate.${name}`] ?? 0;
  return {
    english: rng.chance(rate("englishRate")),
    traditional: rng.chance(rate("traditionalRate")),
    answer: rng.chance(rate("answerRate")),
    dropSentinel: rng.chance(rate("dropSentinelRate")),
    duplicateSentinel: rng.chance(rate("duplicateSentinelRate")),
  };
}

function translateRecord(fields: Record<string, string>, damage: RecordDamage, rng: Rng): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, text] of Object.entries(fields)) out[field] = damage.english ? text : pseudoTranslate(text, damage.traditional);
  const first = Object.keys(out)[0];
  if (damage.answer && first !== undefined) out[first] = `${out[first]}\n\n${ANSWER_SENTENCES.join("")}\n${ANSWER_SENTENCES.slice(0, 1 + rng.int(ANSWER_SENTENCES.length)).join("")}`;
  const withMarker = Object.keys(out).find((field) => /⟦\d+⟧/.test(out[field]!));
  if (withMarker !== undefined) {
    const marker = out[withMarker]!.match(/⟦\d+⟧/)![0];
    if (damage.dropSentinel) out[withMarker] = out[withMarker]!.replace(marker, "");
    else if (damage.duplicateSentinel) out[withMarker] = out[withMarker]!.replace(marker, `${marker}${marker}`);
  }
  return out;
}

export const translateHandler: SimHandler = {
  kind: "translate",
  matches: (request: SimRequest) => request.prompt.includes("into Simplified Chinese") && request.prompt.includes(SOURCE_MARKER),
  respond(request, rng, knobs) {
    const records = sourceRecords(request.prompt) ?? {};
    const reply: RecordsPayload = {};
    for (const [key, fields] of Object.entries(records)) reply[key] = translateRecord(fields, drawDamage(rng, knobs), rng);
    const json = JSON.stringify(reply);
    if (rng.chance(knobs["translate.notJsonRate"] ?? 0)) {
      const prose = Object.values(reply).flatMap((fields) => Object.values(fields)).join("\n");
      return { text: `好的，以下是翻译结果：\n${prose}` };
    }
    return { text: json };
  },
};
