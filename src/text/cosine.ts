/**
 * Cosine similarity of embedding vectors, and a pool of vectors searched for the most similar one
 * above a threshold (Deita's diversity test). Vectors are stored unit-length (Float32, as Deita's
 * torch code computes them), so a cosine is one dot product.
 *
 * The search is exact but skips most of the arithmetic of a pair that cannot reach the threshold:
 * the dot product is summed in four segments, and after each the rest is bounded by
 * Cauchy–Schwarz (|a_rest · b_rest| ≤ |a_rest|·|b_rest|, the segment norms stored with each
 * vector). A pair whose sum so far plus that bound is at most the threshold is left.
 */
import { withRoomFloat32 } from "./typedArrays.js";

const SEGMENTS = 4;
/** The pool holds Float32 (half the memory traffic of Float64): a bound this close to the threshold is not trusted to prune. */
const ROUNDING_SLACK = 1e-6;

/** A unit-length Float64 copy of `vector`; a zero vector stays zero (similar to nothing). */
export function unitVector(vector: ArrayLike<number>): Float64Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  const unit = new Float64Array(vector.length);
  if (norm === 0) return unit;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) unit[i] = vector[i]! * scale;
  return unit;
}

/** The dot product, which is the cosine similarity of two unit vectors. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors of different lengths (${a.length} and ${b.length})`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export interface CosineMatch {
  /** Position of the pooled vector, in the order added. */
  position: number;
  similarity: number;
}

export class CosinePool {
  readonly dimensions: number;
  private readonly bounds: number[];
  private vectors = new Float32Array(0);
  /** Per vector, the norm of its part after each segment boundary (SEGMENTS − 1 values). */
  private tails = new Float32Array(0);
  private count = 0;

  constructor(dimensions: number) {
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
    this.dimensions = dimensions;
    this.bounds = Array.from({ length: SEGMENTS + 1 }, (_, s) => Math.round((s * dimensions) / SEGMENTS));
  }

  get size(): number {
    return this.count;
  }

  add(vector: ArrayLike<number>): void {
    const unit = this.unit(vector);
    this.vectors = withRoomFloat32(this.vectors, (this.count + 1) * this.dimensions);
    this.tails = withRoomFloat32(this.tails, (this.count + 1) * (SEGMENTS - 1));
    this.vectors.set(unit, this.count * this.dimensions);
    this.tails.set(this.tailNorms(unit), this.count * (SEGMENTS - 1));
    this.count++;
  }

  /** The pooled vector most similar to `vector` with a cosine above `threshold`, if any. */
  mostSimilarAbove(vector: ArrayLike<number>, threshold: number): CosineMatch | undefined {
    const query = this.unit(vector);
    const queryTails = this.tailNorms(query);
    const { vectors, tails, bounds, dimensions } = this;
    let best: CosineMatch | undefined;
    for (let position = 0; position < this.count; position++) {
      const offset = position * dimensions;
      let sum = 0;
      let segment = 0;
      for (; segment < SEGMENTS; segment++) {
        for (let i = bounds[segment]!, end = bounds[segment + 1]!; i < end; i++) sum += query[i]! * vectors[offset + i]!;
        if (segment < SEGMENTS - 1 && sum + queryTails[segment]! * tails[position * (SEGMENTS - 1) + segment]! <= threshold - ROUNDING_SLACK) break;
      }
      if (segment === SEGMENTS && sum > threshold && (best === undefined || sum > best.similarity)) best = { position, similarity: sum };
    }
    return best;
  }

  private unit(vector: ArrayLike<number>): Float64Array {
    if (vector.length !== this.dimensions) throw new RangeError(`a vector of ${vector.length} dimensions in a pool of ${this.dimensions}`);
    return unitVector(vector);
  }

  private tailNorms(unit: Float64Array): Float64Array {
    const tails = new Float64Array(SEGMENTS - 1);
    let rest = 0;
    for (let segment = SEGMENTS - 1; segment >= 1; segment--) {
      for (let i = this.bounds[segment]!; i < this.bounds[segment + 1]!; i++) rest += unit[i]! * unit[i]!;
      tails[segment - 1] = Math.sqrt(rest);
    }
    return tails;
  }
}
