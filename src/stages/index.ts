/**
 * The stage registry: one line per stage. The pipeline config, the library's stage functions, the
 * dry-run estimate and the docs are all derived from these definitions (src/stages/definition.ts).
 */
import { answerStage } from "./answer/definition.js";
import { dedupStage } from "./dedup/definition.js";
import { evolveStage } from "./evolve/definition.js";
import { filterStage } from "./filter/definition.js";
import { generateStage } from "./selfInstruct/definition.js";
import { translateStage } from "./translate/definition.js";

export const STAGES = {
  generate: generateStage,
  evolve: evolveStage,
  answer: answerStage,
  dedup: dedupStage,
  filter: filterStage,
  translate: translateStage,
} as const;

export type WorkStageName = keyof typeof STAGES;
export const WORK_STAGE_NAMES = Object.keys(STAGES) as WorkStageName[];
