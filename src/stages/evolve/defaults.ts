/**
 * Evol-Instruct's defaults, as the reference code runs them (nlpxucan/WizardLM, Evol_Instruct/).
 * Every value here is pinned by test/evolve/defaults.test.ts, which cites the same files.
 */

/**
 * Evol_Instruct/openai_access.py sends every request — the rewrite and the answer alike — with
 * temperature 1, top_p 0.95 and max_tokens 2048. (It also sends the generic system line "You are
 * a helpful assistant."; we send none by default, see `answerSystem` and docs/recipes.md.)
 */
export const WIZARDLM_DECODING = { temperature: 1, topP: 0.95, maxTokens: 2048 } as const;

/**
 * Evol_Instruct/main.py draws one of five prompts uniformly per instruction: add constraints,
 * deepen, concretize, increase reasoning (depth.py) and breadth (breadth.py). The paper's sixth
 * operation, complicating the input, is not in the released code: opt in with --ops.
 */
export const REFERENCE_GENERAL_OPERATIONS = ["add_constraints", "deepen", "concretize", "increase_reasoning", "breadth"] as const;

export const EVOLVE_DEFAULTS = {
  /** WizardLM's training data mixes the original instructions with their evolved rounds (the paper's 250K from Alpaca's 52K). */
  keepOriginal: true,
  answerTemperature: WIZARDLM_DECODING.temperature,
  answerTopP: WIZARDLM_DECODING.topP,
  /** No parent-similarity elimination: the reference has none (opt in with --max-parent-similarity). */
  maxParentSimilarity: undefined,
} as const;
