/**
 * An exact candidate generator for "kept texts of n tokens that share at least τ(n) tokens with
 * the query" (tokens counted as multisets). It knows nothing of ROUGE: the caller supplies τ.
 *
 * Each occurrence of a token is its own element ("a" twice = a#1, a#2), so multiset overlap is
 * set overlap. Kept texts are grouped by length, with an inverted index per length. For length n,
 * a text sharing ≥ τ elements holds at least one of ANY m − τ + 1 of the query's elements
 * (prefix filtering), and at least 1 + e of any m − τ + 1 + e. So the query's m − τ + 1 +
 * e rarest elements (`EXTRA_PROBES_…`) are probed and a text becomes a candidate on its (1 + e)-th hit:
 * the extra probes cost a few posting lists and rule out most texts while counting. A 128-bit
 * signature per text then bounds what the unprobed elements can add before the exact count.
 * Hit counts are per slot of one length (a small array each) and live above a per-query base,
 * so they never need resetting.
 *
 * Lengths are visited nearest the query's first, and the caller may stop the search at a text.
 * How the lists are stored and read is a matter of memory, not of the algorithm: at a million
 * kept texts a check is bound by cache misses (see `forEachCandidate` and docs/dedup-notes.md).
 *
 * Measured on the generate bench's 109K checks against a pool growing to 52K (see the README):
 * exact decisions as before, in about 0.6 of the time of one inverted index over all lengths.
 */

import { ENTRY, type FrozenPostingLists } from "./frozenPostingLists.js";
import { LayeredPostingLists } from "./layeredPostingLists.js";
import { withRoomInt32, withRoomUint16 } from "./typedArrays.js";

/** Fewest shared tokens that matter for a kept text of n tokens; Infinity when none can. */
export type RequiredOverlap = (n: number) => number;

/** Sees a candidate text and its exact shared count; returns true to end the search there. */
export type CandidateVisitor = (index: number, shared: number) => boolean;

/**
 * Probes beyond the prefix. While the index is small (nothing frozen) 3 (measured best of 2–5 on
 * the generate bench, whose 1,349-token text makes many candidates); once it is large, 1: at 1M
 * kept texts of the dedup bench's 20K-word text each extra probe reads a long list from memory
 * and saves few candidates (1M side by side: 1 → 123.6 s, 3 → see docs/dedup-notes.md).
 */
const EXTRA_PROBES_SMALL = 3;
const EXTRA_PROBES_LARGE = 1;
/**
 * Lists start in a hash table (one probe per element and length: cheap while the index fits the
 * caches). Past FIRST_FREEZE_VALUES they are laid out for reading ("frozen", see
 * `LayeredPostingLists`), and from then on the recent ones are frozen each time they hold
 * RECENT_VALUES, small enough to stay in cache.
 */
export const FIRST_FREEZE_VALUES = 1 << 21;
const RECENT_VALUES = 1 << 16;
/** Counts are 16-bit (a length's slots stay in L1 cache); the base restarts from 0 when it would overflow. */
const MAX_COUNT = 0xffff;

export class OverlapIndex {
  /**
   * The element of a token's first occurrence (-1: none yet), and of the occurrence after an
   * element's: typed arrays, so mapping a text's tokens reads no per-token objects.
   */
  private firstElementOf = new Int32Array(1024).fill(-1);
  private nextOccurrenceOf = new Int32Array(1024).fill(-1);
  private elementCount = 0;
  /** How many kept texts hold each element (the rarity order). */
  private frequency = new Int32Array(1024);
  /** textsOfLength[n][slot]: the kept texts of n tokens, numbered by slot in insertion order. */
  private readonly textsOfLength: Array<number[] | undefined> = [];
  /** List (element, n): the slots of the texts of length n holding `element`, in slot order. */
  private readonly lists = new LayeredPostingLists();
  private elements = new Int32Array(1024);
  private readonly starts: number[] = [0];
  private longest = 0;
  /** countsOf[n][slot]: hits of the current query, stored above its base (older values count as 0). */
  private readonly countsOf: Array<Uint16Array<ArrayBuffer> | undefined> = [];
  private countCeiling = 0;
  /** For the current query, per length: shared tokens needed, probes, and hits needed (0 probes: not searched). */
  private needOf = new Int32Array(64);
  private probesOf = new Int32Array(64);
  private hitsNeededOf = new Int32Array(64);
  /** The lengths to search, nearest the query's first. */
  private order = new Int32Array(64);
  /** 1 for the elements of the current query. */
  private inQuery = new Uint8Array(1024);
  private occurrences = new Int32Array(1024);
  private scratch = new Int32Array(256);
  /** Per length, the slots that reached its hit bar in the current query, in the order they did (reused). */
  private readonly candidatesOf: Array<Int32Array<ArrayBuffer> | undefined> = [];
  private candidateCountOf = new Int32Array(64);

  /** Per length, four 32-bit words per slot: the bit of every element that text holds (see `signatureBit`). */
  private readonly signaturesOfLength: Array<Int32Array<ArrayBuffer> | undefined> = [];
  /**
   * For the current query: the signature of its elements from position i on (4 words at 4·i),
   * and how many of those elements share a bit with a later one (the popcount undercounts by that).
   */
  private suffixSignatures = new Int32Array(4 * 64);
  private suffixCollisions = new Int32Array(64);

  private readonly firstFreezeValues: number;
  private readonly recentValues: number;

  /** The freezing thresholds are options for tests; see `FIRST_FREEZE_VALUES`. */
  constructor(options: { firstFreezeValues?: number; recentValues?: number } = {}) {
    this.firstFreezeValues = options.firstFreezeValues ?? FIRST_FREEZE_VALUES;
    this.recentValues = options.recentValues ?? RECENT_VALUES;
  }

  get size(): number {
    return this.starts.length - 1;
  }

  /** Index a text (token ids ≥ 0); its index is the number of texts added before it. */
  add(tokens: Int32Array): void {
    const elements = this.elementsOf(tokens, true);
    const index = this.size;
    const start = this.starts[index]!;
    this.elements = withRoomInt32(this.elements, start + elements.length);
    this.elements.set(elements, start);
    this.starts.push(start + elements.length);
    this.longest = Math.max(this.longest, elements.length);
    const n = elements.length;
    const texts = (this.textsOfLength[n] ??= []);
    const slot = texts.length;
    texts.push(index);
    const signatures = withRoomInt32(this.signaturesOfLength[n] ?? new Int32Array(16), 4 * slot + 4);
    this.signaturesOfLength[n] = signatures;
    for (const element of elements) {
      const bit = signatureBit(element);
      signatures[4 * slot + (bit >>> 5)]! |= 1 << (bit & 31);
      this.lists.append(element, n, slot);
      this.frequency[element]!++;
    }
    this.countsOf[n] = withRoomUint16(this.countsOf[n] ?? new Uint16Array(16), texts.length);
    this.candidatesOf[n] ??= new Int32Array(64);
    if (this.lists.recent.valueCount >= (this.lists.frozen ? this.recentValues : this.firstFreezeValues)) this.lists.freeze(this.elementCount);
  }

  /**
   * Calls `visit(index, shared)`, with the exact number of shared tokens, for every kept text of
   * some length n that may share `required(n)` tokens with `query` (ids < 0 are tokens no kept
   * text holds), until `visit` returns true. Texts not visited provably share fewer. Texts are
   * visited length by length, nearest the query's length first, and within a length in the order
   * the probes reach them. `required` is asked once per length, before the search.
   *
   * While nothing is frozen (a small index), lengths are counted and visited one by one, so a
   * near-duplicate found at a near length ends the search before the rest are read. Once lists are
   * frozen (a large one), the nearest length is still searched alone first, and the others are
   * counted together, element by element (each element's frozen lists for all lengths are
   * neighbours in memory, read in one forward sweep), then visited in order: length by length
   * cost 1.4× more at 1M kept texts, and counting all lengths first cost the generate bench 15%.
   */
  forEachCandidate(query: Int32Array, required: RequiredOverlap, visit: CandidateVisitor): void {
    const m = query.length;
    if (m === 0 || this.size === 0) return;
    const elements = this.elementsOf(query, false);
    sortByRarity(elements, this.frequency);
    const lengths = this.planLengths(m, elements.length, required);
    if (lengths > 0) {
      this.beginQuery(elements);
      const base = this.newCountBase(this.maxProbes(0, lengths));
      const oneByOne = this.lists.frozen ? 1 : lengths;
      let stopped = false;
      for (let l = 0; l < oneByOne && !stopped; l++) {
        this.countHitsOf(elements, l, l + 1, base);
        stopped = this.visitCandidates(this.order[l]!, base, visit);
      }
      if (!stopped && oneByOne < lengths) {
        this.probesOf[this.order[0]!] = 0; // searched: the sweeps below pass it by
        this.countHitsOf(elements, 1, lengths, base);
        this.visitAll(1, lengths, base, visit);
      }
      for (const element of elements) this.inQuery[element] = 0;
    }
  }

  /**
   * The lengths worth searching, nearest m first (into `order`), with what each needs: τ(n) shared
   * tokens, the query's first `known − τ + 1 + e` elements probed (e: `EXTRA_PROBES_…`), and all but
   * (known − probes) of τ found among them. Returns how many; stops in each direction at the first
   * length `required` rules out (no length further away can do better).
   */
  private planLengths(m: number, known: number, required: RequiredOverlap): number {
    this.reserveLengths(Math.max(this.longest, m) + 2);
    let count = 0;
    let longerDone = false;
    let shorterDone = m === 1;
    for (let step = 0; !(shorterDone && longerDone); step++) {
      if (!longerDone) {
        if (m + step <= this.longest && this.planLength(m + step, known, required, count)) count++;
        else longerDone = true;
      }
      if (step > 0 && !shorterDone) {
        if (this.planLength(m - step, known, required, count)) count++;
        else shorterDone = true;
      }
    }
    // Lengths without texts or needing more than the query has were planned with 0 probes: drop them.
    let kept = 0;
    for (let i = 0; i < count; i++) if (this.probesOf[this.order[i]!]! > 0) this.order[kept++] = this.order[i]!;
    return kept;
  }

  /** Plan length n at order[at]; false when n and every length beyond it in that direction are ruled out. */
  private planLength(n: number, known: number, required: RequiredOverlap, at: number): boolean {
    if (n < 1) return false;
    const need = required(n);
    if (!Number.isFinite(need)) return false;
    this.order[at] = n;
    const searched = n <= this.longest && this.textsOfLength[n] !== undefined && need <= known;
    const extra = this.lists.frozen ? EXTRA_PROBES_LARGE : EXTRA_PROBES_SMALL;
    const probes = searched ? Math.min(known, known - need + 1 + extra) : 0;
    this.needOf[n] = need;
    this.probesOf[n] = probes;
    this.hitsNeededOf[n] = need - (known - probes);
    return true;
  }

  /** The most probes any of the lengths order[from … to) needs. */
  private maxProbes(from: number, to: number): number {
    let most = 0;
    for (let l = from; l < to; l++) most = Math.max(most, this.probesOf[this.order[l]!]!);
    return most;
  }

  /**
   * Count the hits of every probe in the lists of lengths order[from … to): per element, one sweep
   * over its frozen lists, then its recent lists. Candidates are kept per length.
   */
  private countHitsOf(elements: Int32Array, from: number, to: number, base: number): void {
    let shortest = Infinity;
    let longest = 0;
    for (let l = from; l < to; l++) {
      const n = this.order[l]!;
      shortest = Math.min(shortest, n);
      longest = Math.max(longest, n);
      this.candidateCountOf[n] = 0;
    }
    const most = this.maxProbes(from, to);
    for (let i = 0; i < most; i++) {
      const element = elements[i]!;
      this.sweep(this.lists.large, element, i, shortest, longest, base);
      this.sweep(this.lists.small, element, i, shortest, longest, base);
      for (let l = from; l < to; l++) {
        const n = this.order[l]!;
        if (this.probesOf[n]! <= i) continue;
        const list = this.lists.findRecent(element, n);
        if (list >= 0) this.countHits(this.lists.recent.values, this.lists.recent.table[list + 2]!, this.lists.recent.table[list + 3]!, n, base);
      }
    }
  }

  /** The hits of probe i (`element`) in the frozen lists of lengths shortest … longest that probe it. */
  private sweep(lists: FrozenPostingLists, element: number, i: number, shortest: number, longest: number, base: number): void {
    const directory = lists.directory;
    const end = lists.entryTo(element);
    for (let entry = lists.firstAtLeast(element, shortest); entry < end; entry++) {
      const n = directory[ENTRY * entry]!;
      if (n > longest) break;
      if (this.probesOf[n]! > i) this.countHits(lists.values, directory[ENTRY * entry + 1]!, directory[ENTRY * entry + 2]!, n, base);
    }
  }

  /** One more hit for each slot in values[start, start + length) of length n; those reaching the bar become candidates. */
  private countHits(slots: Int32Array, start: number, length: number, n: number, base: number): void {
    const counts = this.countsOf[n]!;
    const hitsNeeded = base + this.hitsNeededOf[n]!;
    let found = this.candidateCountOf[n]!;
    const candidates = (this.candidatesOf[n] = withRoomInt32(this.candidatesOf[n]!, found + length));
    const end = start + length;
    for (let k = start; k < end; k++) {
      const slot = slots[k]!;
      // Stale counts (below base) read as base, without a branch: the CPU cannot predict it.
      const above = counts[slot]! - base;
      const hits = base + 1 + (above & ~(above >> 31));
      counts[slot] = hits;
      if (hits === hitsNeeded) candidates[found++] = slot;
    }
    this.candidateCountOf[n] = found;
  }

  /** Visit the candidates of lengths order[from … to) in that order, until `visit` ends the search. */
  private visitAll(from: number, to: number, base: number, visit: CandidateVisitor): void {
    for (let l = from; l < to; l++) if (this.visitCandidates(this.order[l]!, base, visit)) return;
  }

  /** Bound, then visit, length n's candidates; true when `visit` ended the search. */
  private visitCandidates(n: number, base: number, visit: CandidateVisitor): boolean {
    const q = this.suffixSignatures;
    const candidates = this.candidatesOf[n]!;
    const probes = this.probesOf[n]!;
    const need = this.needOf[n]!;
    const signatures = this.signaturesOfLength[n]!;
    const texts = this.textsOfLength[n]!;
    // Hits so far, plus every unprobed query element whose bit the text has, bound what it shares.
    const unprobedBound = this.suffixCollisions[probes]!;
    const at = 4 * probes;
    for (let c = 0; c < this.candidateCountOf[n]!; c++) {
      const slot = candidates[c]!;
      const s = 4 * slot;
      const sharedAtMost =
        this.countsOf[n]![slot]! - base +
        unprobedBound +
        popcount(signatures[s]! & q[at]!) +
        popcount(signatures[s + 1]! & q[at + 1]!) +
        popcount(signatures[s + 2]! & q[at + 2]!) +
        popcount(signatures[s + 3]! & q[at + 3]!);
      if (sharedAtMost < need) continue;
      const text = texts[slot]!;
      if (visit(text, this.sharedWithQuery(text))) return true;
    }
    return false;
  }

  private reserveLengths(size: number): void {
    if (this.needOf.length >= size) return;
    const length = Math.max(size, 2 * this.needOf.length);
    this.needOf = new Int32Array(length);
    this.probesOf = new Int32Array(length);
    this.hitsNeededOf = new Int32Array(length);
    this.order = new Int32Array(2 * length);
    this.candidateCountOf = new Int32Array(length);
  }

  /** A base above every count stored so far, with room for `probes` hits: counts below it are stale. */
  private newCountBase(probes: number): number {
    if (this.countCeiling > MAX_COUNT - probes - 1) {
      for (const counts of this.countsOf) counts?.fill(0);
      this.countCeiling = 0;
    }
    const base = this.countCeiling + 1;
    this.countCeiling = base + probes;
    return base;
  }

  /** Mark the query's elements and build its suffix signatures. */
  private beginQuery(elements: Int32Array): void {
    if (this.inQuery.length < this.elementCount) this.inQuery = new Uint8Array(Math.max(2 * this.inQuery.length, this.elementCount));
    for (const element of elements) this.inQuery[element] = 1;
    const known = elements.length;
    if (this.suffixCollisions.length < known + 1) {
      this.suffixCollisions = new Int32Array(2 * known + 2);
      this.suffixSignatures = new Int32Array(8 * known + 8);
    }
    const signatures = this.suffixSignatures;
    signatures.fill(0, 4 * known, 4 * known + 4);
    this.suffixCollisions[known] = 0;
    for (let i = known - 1; i >= 0; i--) {
      const bit = signatureBit(elements[i]!);
      const word = 4 * i + (bit >>> 5);
      signatures.copyWithin(4 * i, 4 * i + 4, 4 * i + 8);
      const mask = 1 << (bit & 31);
      this.suffixCollisions[i] = this.suffixCollisions[i + 1]! + ((signatures[word]! & mask) !== 0 ? 1 : 0);
      signatures[word]! |= mask;
    }
  }

  /** Exact overlap of kept text `text` with the current query. */
  private sharedWithQuery(text: number): number {
    const inQuery = this.inQuery;
    const elements = this.elements;
    let shared = 0;
    for (let k = this.starts[text]!; k < this.starts[text + 1]!; k++) shared += inQuery[elements[k]!]!;
    return shared;
  }

  /** Element ids of a token sequence; unseen occurrences are created (`create`) or left out (queries). */
  private elementsOf(tokens: Int32Array, create: boolean): Int32Array {
    if (this.scratch.length < tokens.length) this.scratch = new Int32Array(2 * tokens.length);
    const elements = this.scratch; // callers copy what they keep
    let count = 0;
    for (const token of tokens) {
      if (token < 0) continue;
      this.reserveTokens(token + 1);
      // The occurrence's element: the token's first, then one link per earlier occurrence in this text.
      const seen = this.occurrences[token]++;
      let element = this.firstElementOf[token]!;
      let previous = -1;
      for (let k = 0; k < seen && element >= 0; k++) {
        previous = element;
        element = this.nextOccurrenceOf[element]!;
      }
      if (element >= 0) elements[count++] = element;
      else if (create) {
        element = this.newElement();
        if (previous < 0) this.firstElementOf[token] = element;
        else this.nextOccurrenceOf[previous] = element;
        elements[count++] = element;
      }
    }
    for (const token of tokens) if (token >= 0) this.occurrences[token] = 0;
    return elements.subarray(0, count);
  }

  private reserveTokens(tokens: number): void {
    this.occurrences = withRoomInt32(this.occurrences, tokens);
    this.firstElementOf = withRoomInt32(this.firstElementOf, tokens, -1);
  }

  private newElement(): number {
    const element = this.elementCount++;
    this.frequency = withRoomInt32(this.frequency, this.elementCount);
    this.nextOccurrenceOf = withRoomInt32(this.nextOccurrenceOf, this.elementCount, -1);
    return element;
  }
}

/** An element's bit among 128: a multiplicative hash, so consecutive ids spread. */
function signatureBit(element: number): number {
  return Math.imul(element, 0x9e3779b1) >>> 25;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Rarest first (fewest kept texts), ties by id. Queries are short, so an insertion sort in place
 * beats the comparator sort, which also allocates; long texts (outputs) use the latter.
 */
function sortByRarity(elements: Int32Array, frequency: Int32Array): void {
  if (elements.length > 64) {
    elements.sort((a, b) => frequency[a]! - frequency[b]! || a - b);
    return;
  }
  for (let i = 1; i < elements.length; i++) {
    const element = elements[i]!;
    const rarity = frequency[element]!;
    let j = i - 1;
    for (; j >= 0; j--) {
      const other = elements[j]!;
      if (frequency[other]! < rarity || (frequency[other] === rarity && other < element)) break;
      elements[j + 1] = other;
    }
    elements[j + 1] = element;
  }
}
