import type { FinishReason } from "../../../llm/types.js";
import type { AlpacaRecord } from "../../../schemas.js";
import type { FilterLanguage, FilterThresholds } from "../config.js";

export interface RuleContext {
  /** "auto": each text's language is detected from its Han share; "en"/"zh": the dataset's language. */
  lang: FilterLanguage;
  /** From the previous stage's meta.jsonl, when it recorded one. */
  finishReason?: FinishReason;
  thresholds: FilterThresholds;
}

export type RuleVerdict = { pass: true } | { pass: false; evidence: Record<string, unknown> };

/** A heuristic rule: pure, no I/O, same verdict for the same record and context. */
export type Rule = (record: AlpacaRecord, context: RuleContext) => RuleVerdict;

export const PASS: RuleVerdict = { pass: true };

export function fail(evidence: Record<string, unknown>): RuleVerdict {
  return { pass: false, evidence };
}

/** Evidence quotes stay short: rejected.jsonl already holds the whole record. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
