import type { SimHandler } from "../types.js";

/** Placeholder until the stage that owns this kind of request writes it. */
export const generateTasksHandler: SimHandler = {
  kind: "generateTasks",
  matches: () => false,
  respond: () => ({ text: "" }),
};
