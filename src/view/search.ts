/**
 * Full-text search over instruction, input and output: an inverted index from token to the
 * documents holding it, in typed arrays (one PostingLists for all tokens, no object per list).
 * Tokens are the similarity tokenizer's (src/text/tokenize.ts): lowercase Latin/digit runs, one
 * token per Han/Kana character, so Chinese is searched per character.
 *
 * A document is one distinct record (by record id): a pipeline directory holds the same record in
 * several stages, and it is tokenized once. Each document lists the rows (stage, file, line) that
 * hold it, so a search maps back to rows.
 */
import type { AlpacaRecord } from "../schemas.js";
import { PostingLists } from "../text/postingLists.js";
import { tokenize, Vocabulary } from "../text/tokenize.js";
import { withRoomInt32 } from "../text/typedArrays.js";

export class SearchIndex {
  private readonly vocabulary = new Vocabulary();
  /** List t: the documents holding token t, ascending, each once. */
  private readonly postings = new PostingLists();
  /** List d: the row keys of document d. */
  private readonly rows = new PostingLists();
  /** The last document appended to each token's list, so a document is listed once per token. */
  private lastDocument = new Int32Array(1024);
  private readonly documentById = new Map<string, number>();

  get documents(): number {
    return this.rows.size;
  }

  /** The document of a record already indexed under `id`, or -1. */
  documentOf(id: string): number {
    return this.documentById.get(id) ?? -1;
  }

  /** Index a new record; `id` (when known) lets later copies of it share the document. */
  add(record: AlpacaRecord, id: string | undefined): number {
    const document = this.rows.create();
    if (id !== undefined) this.documentById.set(id, document);
    this.addText(record.instruction, document);
    this.addText(record.input, document);
    this.addText(record.output, document);
    return document;
  }

  addRow(document: number, rowKey: number): void {
    this.rows.append(document, rowKey);
  }

  /** The documents holding all the query's tokens, ascending (none for a query without tokens). */
  match(query: string): Int32Array {
    const ids = this.encode(query, false);
    if (ids.length === 0 || ids.some((id) => id < 0)) return new Int32Array(0);
    const lists = [...new Set(ids)].sort((a, b) => this.postings.lengths[a]! - this.postings.lengths[b]!);
    let documents = this.list(this.postings, lists[0]!);
    for (const token of lists.slice(1)) documents = intersect(documents, this.list(this.postings, token));
    return documents;
  }

  /** How many rows hold these documents. */
  rowCount(documents: Int32Array): number {
    let total = 0;
    for (const document of documents) total += this.rows.lengths[document]!;
    return total;
  }

  /** The row keys of these documents, unsorted. */
  rowKeys(documents: Int32Array): Int32Array {
    const keys = new Int32Array(this.rowCount(documents));
    let at = 0;
    for (const document of documents) {
      const rows = this.list(this.rows, document);
      keys.set(rows, at);
      at += rows.length;
    }
    return keys;
  }

  /** A flag per document: 1 for these documents (to test rows while scanning a file's lines in order). */
  flags(documents: Int32Array): Uint8Array {
    const flags = new Uint8Array(this.documents);
    for (const document of documents) flags[document] = 1;
    return flags;
  }

  /** Whether the query has any searchable token. */
  static searchable(query: string): boolean {
    return tokenize(query).length > 0;
  }

  private addText(text: string, document: number): void {
    if (text === "") return;
    const ids = this.encode(text, true);
    const tokens = this.vocabulary.size;
    while (this.postings.size < tokens) this.postings.create();
    this.lastDocument = withRoomInt32(this.lastDocument, tokens);
    for (const token of ids) {
      if (this.lastDocument[token] === document + 1) continue; // stored +1: 0 means none yet
      this.lastDocument[token] = document + 1;
      this.postings.append(token, document);
    }
  }

  private encode(text: string, intern: boolean): Int32Array {
    const ascii = this.vocabulary.encodeAscii(text, intern);
    if (ascii) return ascii;
    const tokens = tokenize(text);
    return intern ? this.vocabulary.encode(tokens) : Int32Array.from(tokens, (token) => this.vocabulary.find(token));
  }

  private list(lists: PostingLists, id: number): Int32Array {
    const start = lists.starts[id]!;
    return lists.values.subarray(start, start + lists.lengths[id]!);
  }
}

/** Both ascending lists' common values. */
function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out[n++] = x;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out.subarray(0, n);
}
