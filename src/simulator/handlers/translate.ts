import type { SimHandler } from "../types.js";

/** Placeholder until the stage that owns this kind of request writes it. */
export const translateHandler: SimHandler = {
  kind: "translate",
  matches: () => false,
  respond: () => ({ text: "" }),
};
