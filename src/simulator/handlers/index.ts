/**
 * The simulator's request kinds, tried in this order; `answer` is the catch-all and comes last.
 * Each handler file belongs to the stage that sends that kind of request.
 */
import type { SimHandler } from "../types.js";
import { translateHandler } from "./translate.js";
import { evolveHandler } from "./evolve.js";
import { equalJudgeHandler } from "./equalJudge.js";
import { qualityJudgeHandler } from "./qualityJudge.js";
import { complexityHandler } from "./complexity.js";
import { generateTasksHandler } from "./generateTasks.js";
import { evolAnswerHandler } from "./evolAnswer.js";
import { answerHandler } from "./answer.js";
import { selfInstructInstructionsHandler } from "./selfInstructInstructions.js";
import { selfInstructClassifyHandler } from "./selfInstructClassify.js";
import { selfInstructInstancesHandler } from "./selfInstructInstances.js";

export const handlers: readonly SimHandler[] = [
  translateHandler,
  evolveHandler,
  equalJudgeHandler,
  qualityJudgeHandler,
  complexityHandler,
  generateTasksHandler,
  selfInstructInstructionsHandler,
  selfInstructClassifyHandler,
  selfInstructInstancesHandler,
  evolAnswerHandler,
  answerHandler,
];
