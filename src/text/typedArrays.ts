/**
 * Growth for typed arrays used as append buffers: capacity at least doubles, so appends stay
 * amortised O(1). Returns `array` itself when it already has room.
 */
/** With `fill`, the new room holds that value instead of 0 (e.g. -1 for "none yet"). */
export function withRoomInt32(array: Int32Array, needed: number, fill = 0): Int32Array<ArrayBuffer> {
  if (needed <= array.length) return array as Int32Array<ArrayBuffer>;
  const grown = new Int32Array(Math.max(needed, array.length * 2));
  if (fill !== 0) grown.fill(fill, array.length);
  grown.set(array);
  return grown;
}

export function withRoomUint16(array: Uint16Array, needed: number): Uint16Array<ArrayBuffer> {
  if (needed <= array.length) return array as Uint16Array<ArrayBuffer>;
  const grown = new Uint16Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

export function withRoomUint32(array: Uint32Array, needed: number): Uint32Array<ArrayBuffer> {
  if (needed <= array.length) return array as Uint32Array<ArrayBuffer>;
  const grown = new Uint32Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

export function withRoomFloat32(array: Float32Array, needed: number): Float32Array<ArrayBuffer> {
  if (needed <= array.length) return array as Float32Array<ArrayBuffer>;
  const grown = new Float32Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

export function withRoomFloat64(array: Float64Array, needed: number): Float64Array<ArrayBuffer> {
  if (needed <= array.length) return array as Float64Array<ArrayBuffer>;
  const grown = new Float64Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}
