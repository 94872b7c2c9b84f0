import type { SimHandler } from "../types.js";

/** Placeholder until the stage that owns this kind of request writes it. */
export const evolveHandler: SimHandler = {
  kind: "evolve",
  matches: () => false,
  respond: () => ({ text: "" }),
};
