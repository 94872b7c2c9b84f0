import type { SimHandler } from "../types.js";

/** Placeholder until the stage that owns this kind of request writes it. */
export const equalJudgeHandler: SimHandler = {
  kind: "equalJudge",
  matches: () => false,
  respond: () => ({ text: "" }),
};
