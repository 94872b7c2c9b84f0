import type { SimHandler } from "../types.js";

/** Placeholder until the stage that owns this kind of request writes it. */
export const qualityJudgeHandler: SimHandler = {
  kind: "qualityJudge",
  matches: () => false,
  respond: () => ({ text: "" }),
};
