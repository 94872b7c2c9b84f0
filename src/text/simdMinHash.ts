/**
 * The MinHash signature loop in WebAssembly SIMD: four permutations per 128-bit vector, sixteen
 * per pass over the shingles, the same 32-bit arithmetic as the JavaScript loop in minhash.ts
 * (a·h + b mod 2^32, signed minimum after the sign flip), so the signatures are bit-identical;
 * measured about 6× faster than that loop. The module (≈ 400 bytes) is assembled here from its
 * instructions, so there is no binary in the repository and no build step; where WebAssembly
 * SIMD is missing, `createSimdSignature` returns undefined and the JavaScript loop is used.
 *
 * Memory layout: multipliers at 0, offsets (sign bit flipped) after them, the minima after
 * those, then the current shingle set.
 */

const uleb = (value: number): number[] => {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
};
const sleb = (value: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];

// Parameters and locals of `sig(multipliers, offsets, out, shingles, count, groups)`.
const [MULTIPLIERS, OFFSETS, OUT, SHINGLES, COUNT, GROUPS, GROUP, SHINGLE, GROUP_BYTES, POINTER, HASH] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const LANES = [0, 1, 2, 3];
const multiplier = (k: number): number => 11 + k;
const offset = (k: number): number => 15 + k;
const minimum = (k: number): number => 19 + k;

const op = {
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  add: [0x6a],
  shl: [0x74],
  geU: [0x4f],
  load: [0x28, 2, 0],
  simd: (code: number) => [0xfd, ...uleb(code)],
  /** Loop while `counter` < `limit`: block { loop { if counter ≥ limit break; body; continue } }. */
  loop: (counter: number, limit: number, body: number[]) => [0x02, 0x40, 0x03, 0x40, 0x20, counter, 0x20, limit, 0x4f, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b],
};
const v128Load = (at: number): number[] => [...op.simd(0x00), 4, ...uleb(at)];
const v128Store = (at: number): number[] => [...op.simd(0x0b), 4, ...uleb(at)];
const i32x4Max = [...op.simd(0x0c), ...Array.from({ length: 4 }, () => [0xff, 0xff, 0xff, 0x7f]).flat()];
const [SPLAT, MUL, ADD, MIN_S] = [0x11, 0xb5, 0xae, 0xb6];

function signatureModule(): Uint8Array {
  const shingleLoop = op.loop(SHINGLE, COUNT, [
    ...op.get(POINTER), ...op.load, ...op.simd(SPLAT), ...op.set(HASH),
    ...LANES.flatMap((k) => [...op.get(minimum(k)), ...op.get(multiplier(k)), ...op.get(HASH), ...op.simd(MUL), ...op.get(offset(k)), ...op.simd(ADD), ...op.simd(MIN_S), ...op.set(minimum(k))]),
    ...op.get(POINTER), ...op.i32(4), ...op.add, ...op.set(POINTER),
    ...op.get(SHINGLE), ...op.i32(1), ...op.add, ...op.set(SHINGLE),
  ]);
  const groupLoop = op.loop(GROUP, GROUPS, [
    ...op.get(GROUP), ...op.i32(6), ...op.shl, ...op.set(GROUP_BYTES),
    ...LANES.flatMap((k) => [...op.get(MULTIPLIERS), ...op.get(GROUP_BYTES), ...op.add, ...v128Load(16 * k), ...op.set(multiplier(k))]),
    ...LANES.flatMap((k) => [...op.get(OFFSETS), ...op.get(GROUP_BYTES), ...op.add, ...v128Load(16 * k), ...op.set(offset(k))]),
    ...LANES.flatMap((k) => [...i32x4Max, ...op.set(minimum(k))]),
    ...op.i32(0), ...op.set(SHINGLE), ...op.get(SHINGLES), ...op.set(POINTER),
    ...shingleLoop,
    ...LANES.flatMap((k) => [...op.get(OUT), ...op.get(GROUP_BYTES), ...op.add, ...op.get(minimum(k)), ...v128Store(16 * k)]),
    ...op.get(GROUP), ...op.i32(1), ...op.add, ...op.set(GROUP),
  ]);
  const locals = [0x02, 0x04, 0x7f, 0x0d, 0x7b]; // 4 × i32, 13 × v128
  const code = [...locals, ...groupLoop, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector(Array.from({ length: 6 }, () => [0x7f])), 0]])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x00, 1]])),
    ...section(7, vector([[...name("sig"), 0x00, 0], [...name("mem"), 0x02, 0]])),
    ...section(10, vector([[...uleb(code.length), ...code]])),
  ]);
}

/** The little of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly kind?: never;
}
declare const WebAssembly:
  | {
      validate(bytes: Uint8Array): boolean;
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule) => { exports: Record<string, unknown> };
    }
  | undefined;

type SigExport = (multipliers: number, offsets: number, out: number, shingles: number, count: number, groups: number) => void;

const PERMUTATIONS_PER_GROUP = 16;
const PAGE_BYTES = 65536;

export type SignatureFunction = (shingles: Uint32Array, out: Uint32Array) => Uint32Array;

let compiled: WasmModule | null | undefined;

/** A SIMD signature function for these permutations, or undefined where WebAssembly SIMD is unavailable. */
export function createSimdSignature(multipliers: Int32Array, offsets: Int32Array): SignatureFunction | undefined {
  if (typeof WebAssembly !== "object") return undefined;
  if (compiled === undefined) {
    const bytes = signatureModule();
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  if (compiled === null) return undefined;
  const { exports } = new WebAssembly.Instance(compiled);
  const sig = exports.sig;
  const memory = exports.mem;
  if (!isSig(sig) || !isMemory(memory)) return undefined;
  const numPerm = multipliers.length;
  const groups = Math.ceil(numPerm / PERMUTATIONS_PER_GROUP);
  const padded = 4 * groups * PERMUTATIONS_PER_GROUP; // bytes per table
  const [multipliersAt, offsetsAt, minimaAt, shinglesAt] = [0, padded, 2 * padded, 3 * padded];
  const ensureBytes = (bytes: number): void => {
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES));
  };
  ensureBytes(shinglesAt);
  const words = new Int32Array(memory.buffer);
  words.set(multipliers, multipliersAt / 4);
  for (let p = 0; p < numPerm; p++) words[offsetsAt / 4 + p] = offsets[p]! ^ SIGN;
  return (shingles, out) => {
    ensureBytes(shinglesAt + 4 * shingles.length);
    const memoryWords = new Int32Array(memory.buffer); // a grown memory has a new buffer
    memoryWords.set(new Int32Array(shingles.buffer, shingles.byteOffset, shingles.length), shinglesAt / 4);
    sig(multipliersAt, offsetsAt, minimaAt, shinglesAt, shingles.length, groups);
    const minima = minimaAt / 4;
    for (let p = 0; p < numPerm; p++) out[p] = (memoryWords[minima + p]! ^ SIGN) >>> 0;
    return out;
  };
}

const SIGN = 0x80000000 | 0;

function isSig(value: unknown): value is SigExport {
  return typeof value === "function" && value.length === 6;
}

function isMemory(value: unknown): value is WasmMemory {
  return typeof value === "object" && value !== null && "buffer" in value && value.buffer instanceof ArrayBuffer && "grow" in value;
}
