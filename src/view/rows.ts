/**
 * The columns of one run file's lines (a stage's kept records or its rejections), in typed
 * arrays: where each line sits in its file, its search document, and the few fields the table
 * filters on. Record text is not kept; it is read back from the file by offset when shown.
 */
import { withRoomFloat64, withRoomInt32 } from "../text/typedArrays.js";

export const KEPT = 0;
export const REJECTED = 1;
export type RowKind = typeof KEPT | typeof REJECTED;

/** Fields one line contributes to the filters; codes index the index's string table (-1 = none). */
export interface RowFields {
  operation: number;
  round: number;
  quality: number;
  complexity: number;
  reason: number;
}

const START = 256;

export class RowTable {
  count = 0;
  offset = new Float64Array(START);
  length = new Int32Array(START);
  document = new Int32Array(START);
  language = new Int32Array(START);
  operation = new Int32Array(START);
  round = new Int32Array(START);
  quality = new Float64Array(START);
  complexity = new Float64Array(START);
  reason = new Int32Array(START);
  /** Record ids by line (undefined for a rejection too partial to hash). */
  readonly ids: Array<string | undefined> = [];

  /** Make room for line `line` (0-based). */
  ensure(line: number): void {
    const needed = line + 1;
    if (needed <= this.offset.length) return;
    this.offset = withRoomFloat64(this.offset, needed);
    this.length = withRoomInt32(this.length, needed);
    this.document = withRoomInt32(this.document, needed);
    this.language = withRoomInt32(this.language, needed);
    this.operation = withRoomInt32(this.operation, needed);
    this.round = withRoomInt32(this.round, needed);
    this.quality = withRoomFloat64(this.quality, needed);
    this.complexity = withRoomFloat64(this.complexity, needed);
    this.reason = withRoomInt32(this.reason, needed);
  }

  setFields(line: number, fields: RowFields): void {
    this.ensure(line);
    this.operation[line] = fields.operation;
    this.round[line] = fields.round;
    this.quality[line] = fields.quality;
    this.complexity[line] = fields.complexity;
    this.reason[line] = fields.reason;
  }

  setPlace(line: number, offset: number, length: number, document: number, language: number): void {
    this.ensure(line);
    this.offset[line] = offset;
    this.length[line] = length;
    this.document[line] = document;
    this.language[line] = language;
  }
}

export const NO_FIELDS: RowFields = { operation: -1, round: -1, quality: Number.NaN, complexity: Number.NaN, reason: -1 };

/**
 * One int32 per row for the search postings: (stage × 2 + kind) × 2^25 + line, so stages up to
 * 31 and 33M lines per file fit, and sorting keys sorts rows by stage, kind, then file order.
 */
export const LINE_BITS = 2 ** 25;
export const MAX_STAGES = 32;

export function rowKey(stage: number, kind: RowKind, line: number): number {
  return (stage * 2 + kind) * LINE_BITS + line;
}

export function decodeRowKey(key: number): { stage: number; kind: RowKind; line: number } {
  const slot = Math.floor(key / LINE_BITS);
  return { stage: slot >> 1, kind: (slot & 1) as RowKind, line: key % LINE_BITS };
}
