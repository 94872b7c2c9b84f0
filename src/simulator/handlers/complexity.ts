import type { SimHandler } from "../types.js";

/** Placeholder until the stage that owns this kind of request writes it. */
export const complexityHandler: SimHandler = {
  kind: "complexity",
  matches: () => false,
  respond: () => ({ text: "" }),
};
