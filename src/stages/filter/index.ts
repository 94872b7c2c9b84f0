/** The filter stage's public surface. */
export { runFilter, type FilterSettings, type FilterSummary } from "./stage.js";
export { FilterThresholds, FilterLanguage, RULE_NAMES, RuleName, DEFAULT_MIN_SCORE, COMPLEXITY_MAX } from "./config.js";
export { RULES, firstFailedRule, type Rule, type RuleContext, type RuleVerdict } from "./rules/index.js";
export { selectTopK, rankScore } from "./select.js";
export { selectDiverse, rankByScore, cosineNeighbourhood, textNeighbourhood, DEITA_COSINE_THRESHOLD, type Neighbourhood } from "./diverseSelect.js";
export { DeitaSelection } from "./deita.js";
