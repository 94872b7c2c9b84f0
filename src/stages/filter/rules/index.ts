/** The heuristic rules by name, and applying an enabled subset to a record. */
import type { AlpacaRecord } from "../../../schemas.js";
import type { RuleName } from "../config.js";
import { emptyOutput, placeholderOutput } from "./content.js";
import { languageMismatch } from "./language.js";
import { lengthBounds } from "./length.js";
import { refusal } from "./refusal.js";
import { repetition } from "./repetition.js";
import { restatesInput } from "./restates.js";
import { truncatedOutput } from "./truncated.js";
import type { Rule, RuleContext } from "./types.js";
import { unseeableReference } from "./unseeable.js";

export type { Rule, RuleContext, RuleVerdict } from "./types.js";

/** Each rule by name; callers check them in RULE_NAMES order (plainest reasons first). */
export const RULES: Readonly<Record<RuleName, Rule>> = {
  empty_output: emptyOutput,
  placeholder_output: placeholderOutput,
  refusal,
  truncated_output: truncatedOutput,
  unseeable_reference: unseeableReference,
  restates_input: restatesInput,
  repetition,
  language_mismatch: languageMismatch,
  length_bounds: lengthBounds,
};

export interface RuleFailure {
  rule: RuleName;
  evidence: Record<string, unknown>;
}

/** The first enabled rule the record fails, or undefined when it passes them all. */
export function firstFailedRule(record: AlpacaRecord, rules: readonly RuleName[], context: RuleContext): RuleFailure | undefined {
  for (const rule of rules) {
    const verdict = RULES[rule](record, context);
    if (!verdict.pass) return { rule, evidence: verdict.evidence };
  }
  return undefined;
}
