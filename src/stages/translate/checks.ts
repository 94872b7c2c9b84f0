/**
 * Is this reply a faithful Chinese translation of this field? Each check names what went wrong
 * and keeps the evidence, so `rejected.jsonl` says why without re-running anything.
 *
 * Order: Simplified normalisation first (on the sentinel form, so protected code and strings are
 * never converted; only sentences with Traditional characters, see simplified.ts), then markers, language, length, table shape.
 */
import { CHINESE_HAN_SHARE, hanShare } from "../../text/language.js";
import { restore, tableShape, withoutSentinels, type ProtectedText } from "./protect.js";
import { normalizeToSimplified } from "../../text/simplified.js";

export type FieldFailureReason = "sentinel_mismatch" | "not_chinese" | "answered_instead" | "table_broken" | "json_broken";

export interface FieldFailure {
  reason: FieldFailureReason;
  detail: Record<string, unknown>;
}

export type FieldCheck = { ok: true; text: string; convertedTraditional: boolean } | { ok: false; failure: FieldFailure };

/**
 * Length of a Chinese translation relative to its English source, in characters without
 * whitespace or markers. Chinese runs at ~0.3–0.6 of the English; an answer instead of a
 * translation runs at several times it. Short sources get absolute slack, since "Hi." → "你好。"
 * or a name list that stays as it is can exceed any ratio.
 */
export const LENGTH_BOUNDS = { maxRatio: 1.5, shortSourceSlack: 30, minRatio: 0.1, minRatioAppliesFrom: 80 } as const;

/** English function words: a field with a few of them is English prose that must come back Chinese. */
const ENGLISH_FUNCTION_WORDS = /\b(?:the|a|an|of|and|or|to|in|is|are|was|for|with|that|this|it|on|as|be|by|what|how|you|your)\b/gi;

export function checkField(source: ProtectedText, sourceText: string, translatedWithSentinels: string): FieldCheck {
  const { text: simplified, converted } = normalizeToSimplified(translatedWithSentinels);
  const restored = restore(simplified, source.spans, source.json === true);
  if (!restored.ok) {
    const { missing, duplicated, unknown } = restored;
    return fail("sentinel_mismatch", { missing, duplicated, unknown, reply: excerpt(translatedWithSentinels) });
  }
  const language = checkChinese(source.text, simplified);
  if (language) return { ok: false, failure: language };
  const length = checkLength(source.text, simplified);
  if (length) return { ok: false, failure: length };
  const expectedShape = tableShape(sourceText);
  const actualShape = tableShape(restored.text);
  if (expectedShape.join(",") !== actualShape.join(",")) return fail("table_broken", { expectedPipesPerRow: expectedShape, actualPipesPerRow: actualShape });
  if (source.json && !parsesAsJson(restored.text)) return fail("json_broken", { reply: excerpt(restored.text) });
  return { ok: true, text: restored.text, convertedTraditional: converted };
}

/** Only English prose must come back Chinese: a list of brand names may rightly stay as it is. */
function checkChinese(sourceWithSentinels: string, translatedWithSentinels: string): FieldFailure | undefined {
  const functionWords = withoutSentinels(sourceWithSentinels).match(ENGLISH_FUNCTION_WORDS)?.length ?? 0;
  if (functionWords < 2) return undefined;
  const share = hanShare(withoutSentinels(translatedWithSentinels));
  if (share >= CHINESE_HAN_SHARE) return undefined;
  return { reason: "not_chinese", detail: { hanShare: round(share), threshold: CHINESE_HAN_SHARE, reply: excerpt(translatedWithSentinels) } };
}

function checkLength(sourceWithSentinels: string, translatedWithSentinels: string): FieldFailure | undefined {
  const sourceLength = visibleLength(sourceWithSentinels);
  const translatedLength = visibleLength(translatedWithSentinels);
  const maxLength = Math.max(sourceLength * LENGTH_BOUNDS.maxRatio, sourceLength + LENGTH_BOUNDS.shortSourceSlack);
  const tooShort = sourceLength >= LENGTH_BOUNDS.minRatioAppliesFrom && translatedLength < sourceLength * LENGTH_BOUNDS.minRatio;
  if (translatedLength <= maxLength && !tooShort) return undefined;
  return {
    reason: "answered_instead",
    detail: {
      sourceChars: sourceLength,
      replyChars: translatedLength,
      ratio: round(translatedLength / Math.max(sourceLength, 1)),
      allowed: [LENGTH_BOUNDS.minRatio, LENGTH_BOUNDS.maxRatio],
      reply: excerpt(translatedWithSentinels),
    },
  };
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const visibleLength = (text: string): number => withoutSentinels(text).replace(/\s+/g, "").length;
const round = (n: number): number => Math.round(n * 1000) / 1000;
const excerpt = (text: string): string => (text.length > 240 ? `${text.slice(0, 240)}…` : text);
const fail = (reason: FieldFailureReason, detail: Record<string, unknown>): FieldCheck => ({ ok: false, failure: { reason, detail } });
