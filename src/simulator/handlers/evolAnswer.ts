/**
 * Simulator (a TEST DOUBLE, not a model) handler for answer requests about evolved instructions
 * that carry one of the evolve handler's planted baits: a short apology for REFUSAL_BAIT, a reply
 * of nothing but stop words for STOPWORD_BAIT — the two answers Evol-Instruct's rules 2 and 3
 * eliminate. Everything else falls through to the generic answer handler.
 * Must be listed before `answerHandler` in handlers/index.ts.
 */
import { hanShare } from "../../text/language.js";
import type { SimHandler, SimRequest } from "../types.js";
import { REFUSAL_BAIT, STOPWORD_BAIT } from "./evolve.js";

const REFUSALS = {
  en: ["I'm sorry, but I can't answer in the voice of a medieval herald.", "Sorry, I am not able to write in that voice."],
  zh: ["很抱歉，我无法用中世纪传令官的口吻来回答这个问题。", "对不起，我不能用这种口吻回答。"],
};
const STOPWORD_REPLIES = {
  en: ["It is what it is, and that is all there is to it.", "Well, so it is; and there it is, as it was."],
  zh: ["就是这样的，也就是这样了。", "嗯，这个嘛，就是那样的。"],
};

function baitOf(request: SimRequest): "refusal" | "stopwords" | undefined {
  const prompt = request.prompt;
  if (prompt.includes("#Given Prompt#") || prompt.includes("#Instruction A#")) return undefined;
  if (prompt.includes(REFUSAL_BAIT.en) || prompt.includes(REFUSAL_BAIT.zh)) return "refusal";
  if (prompt.includes(STOPWORD_BAIT.en) || prompt.includes(STOPWORD_BAIT.zh)) return "stopwords";
  return undefined;
}

export const evolAnswerHandler: SimHandler = {
  kind: "evolAnswer",
  matches: (request) => baitOf(request) !== undefined,
  respond(request, rng) {
    const lang = hanShare(request.prompt) >= 0.2 ? "zh" : "en";
    const bank = baitOf(request) === "refusal" ? REFUSALS : STOPWORD_REPLIES;
    return { text: rng.pick(bank[lang]) };
  },
};
