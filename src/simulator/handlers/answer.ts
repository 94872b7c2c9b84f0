import type { SimHandler } from "../types.js";

/** Placeholder until the stage that owns this kind of request writes it. */
export const answerHandler: SimHandler = {
  kind: "answer",
  matches: () => false,
  respond: () => ({ text: "" }),
};
