/** Deterministic pseudo-random 32-bit values (splitmix32), for hash parameters that must not change between runs. */
import { fmix32 } from "./hash.js";

export function seededUint32s(seed: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    out[i] = fmix32(state);
  }
  return out;
}
