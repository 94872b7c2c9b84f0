/** The simulator's randomness is the project's pure seeded RNG (src/text/rng.ts), re-exported for its handlers. */
export { createRng, deriveSeed, hashString, shuffled } from "../text/rng.js";
