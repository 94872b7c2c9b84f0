/**
 * Deterministic randomness for stages (example sampling, operation choice), estimates and the
 * simulator: same seed → same sequence, on every machine and Node version. Pure: no I/O.
 * Nothing here is cryptographic; it only has to be fast and well spread.
 */

/** A small deterministic PRNG: same seed → same draws. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** Final avalanche step so that inputs differing in one bit give unrelated outputs. */
function mix32(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A 53-bit string hash (two independent 32-bit lanes), exact in a JS number. Used for request
 * fingerprints and for seeding; `seed` lets callers derive unrelated hashes of the same text.
 */
export function hashString(text: string, seed = 0): number {
  let lane1 = (0x811c9dc5 ^ seed) >>> 0;
  let lane2 = (0x01000193 ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    lane1 = Math.imul(lane1 ^ code, 0x2c1b3c6d);
    lane2 = Math.imul(lane2 ^ code, 0x297a2d39);
  }
  lane1 = mix32(lane1 ^ text.length);
  lane2 = mix32(lane2 ^ lane1);
  return (lane2 & 0x1fffff) * 0x100000000 + lane1;
}

/** Combine several values into one seed, e.g. `deriveSeed(globalSeed, bodyHash, "faults")`. */
export function deriveSeed(...parts: ReadonlyArray<string | number>): number {
  return hashString(parts.join("\u0001"));
}

/**
 * `createRng(seed)`: a seeded PRNG implementing `Rng`. A Weyl sequence (the state advances by a
 * fixed odd constant, so it visits every 32-bit value) passed through the `mix32` avalanche:
 * well spread for simulation purposes, and a few integer multiplies per draw.
 */
export function createRng(seed: number | string): Rng {
  const numericSeed = typeof seed === "string" ? hashString(seed) : seed;
  // Fold all 53 bits of a hash-sized seed into the 32-bit state.
  let state = mix32((numericSeed >>> 0) ^ mix32(Math.floor(numericSeed / 0x100000000)));

  const nextUint32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    return mix32(state);
  };

  const rng: Rng = {
    next: () => nextUint32() / 0x100000000,
    int: (n: number) => {
      if (!(n >= 1)) throw new RangeError(`Rng.int needs n ≥ 1, got ${n}`);
      return Math.floor(rng.next() * Math.floor(n));
    },
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError("Rng.pick needs a non-empty list");
      return items[rng.int(items.length)] as T;
    },
    chance: (p: number) => rng.next() < p,
  };
  return rng;
}

/** Fisher–Yates shuffle into a new array, driven by `rng` (deterministic). */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
