/**
 * The viewer's index of a run directory (one stage) or a pipeline directory (NN-<stage>/ sub-
 * directories): built once by streaming each file, then kept current by `refresh()`, which reads
 * only what the running stages appended since. Rows live in typed arrays (rows.ts), text search
 * in search.ts; record text stays in the files and is read back by offset for the page shown.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { UserError } from "../errors.js";
import { parseJsonOrUndefined } from "../io/json.js";
import { appendReview, readReviews, REVIEW_FILE, type ReviewMark, type ReviewVerdict } from "../io/review.js";
import { readEarlierManifest } from "../io/runDir.js";
import { Manifest, stageDirectoryNames } from "../report/load.js";
import { TopPairs } from "../report/similarPairs.js";
import { AlpacaRecord, recordId } from "../schemas.js";
import { detectLanguage } from "../text/language.js";
import { hasCjk } from "../text/tokenize.js";
import { foldedMeta, RejectedLine, RejectionDetail, type ViewMeta } from "./lines.js";
import { decodeRowKey, KEPT, MAX_STAGES, NO_FIELDS, REJECTED, RowTable, rowKey, type RowFields, type RowKind } from "./rows.js";
import { SearchIndex } from "./search.js";
import { FileTail, readLineAt, type Line } from "./tail.js";

export const LANGUAGES = ["en", "zh"] as const;
/** A stage directory has its manifest from its first moment; data.jsonl only once a record is kept. */
const STAGE_MARKERS = ["data.jsonl", "manifest.json"];

export class StageIndex {
  readonly kept = new RowTable();
  readonly rejected = new RowTable();
  /** Byte place of each meta line (line k describes kept record k). */
  metaOffset: number[] = [];
  metaLength: number[] = [];
  readonly lineById = new Map<string, number>();
  /** Evolution attempts rejected in this stage, by the root they started from. */
  readonly rejectedByRoot = new Map<string, number[]>();
  readonly reasonCounts = new Map<string, number>();
  units = 0;
  manifest: Manifest | undefined;
  manifestMtime = -1;
  /** generate's most_similar_instructions, gathered as lines arrive. */
  similar: TopPairs | undefined;
  readonly pendingSimilar = new Map<number, Record<string, number>>();
  readonly tails: { data: FileTail; meta: FileTail; rejected: FileTail; progress: FileTail };

  constructor(
    readonly number: number,
    /** Directory name ("02-evolve") in a pipeline, the stage name for a single run directory. */
    readonly name: string,
    readonly dir: string,
  ) {
    this.tails = {
      data: new FileTail(join(dir, "data.jsonl")),
      meta: new FileTail(join(dir, "meta.jsonl")),
      rejected: new FileTail(join(dir, "rejected.jsonl")),
      progress: new FileTail(join(dir, "progress.jsonl")),
    };
  }

  table(kind: RowKind): RowTable {
    return kind === KEPT ? this.kept : this.rejected;
  }

  path(kind: RowKind): string {
    return kind === KEPT ? this.tails.data.path : this.tails.rejected.path;
  }

  /** The stage's own name ("evolve"), from its manifest or its directory name. */
  get stageName(): string {
    return this.manifest?.stage ?? this.name.replace(/^\d+-/, "");
  }
}

export interface RowFilter {
  /** Stage number, or undefined for every stage. */
  stage?: number;
  kind?: RowKind;
  query?: string;
  language?: "en" | "zh";
  operation?: string;
  round?: number;
  minQuality?: number;
  maxQuality?: number;
  minComplexity?: number;
  maxComplexity?: number;
  reason?: string;
  review?: "good" | "bad" | "none";
}

export interface RowRef {
  stage: number;
  kind: RowKind;
  line: number;
}

export class RunIndex {
  readonly stages: StageIndex[] = [];
  readonly isPipeline: boolean;
  search = new SearchIndex();
  /** Operation names and rejection reasons, interned: the tables hold their codes. */
  private readonly strings: string[] = [];
  private readonly codes = new Map<string, number>();
  private marks = new Map<string, ReviewMark>();
  /** Language code of each search document (detected once per distinct record). */
  private readonly documentLanguage: number[] = [];
  /** Operation and round of each document as the stage that evolved it recorded them, for later stages' copies. */
  private readonly documentOperation: number[] = [];
  private readonly documentRound: number[] = [];
  readonly reviewPath: string;
  /** The values the table's filter menus offer. */
  readonly facets = { operations: new Set<string>(), reasons: new Set<string>(), rounds: new Set<number>() };
  /** Bumped whenever something visible changed; pages poll or are pushed it. */
  version = 0;

  private constructor(readonly dir: string) {
    this.isPipeline = !STAGE_MARKERS.some((marker) => existsSync(join(dir, marker)));
    this.reviewPath = join(dir, REVIEW_FILE);
  }

  /** Index `dir` (a stage directory or a pipeline directory); throws a UserError when it is neither. */
  static open(dir: string): RunIndex {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: not a directory — pass a run directory or a pipeline directory`, 2);
    const index = new RunIndex(dir);
    if (index.isPipeline && stageDirectoryNames(dir, STAGE_MARKERS).length === 0 && !existsSync(join(dir, "pipeline.json"))) {
      throw new UserError(`${dir}: no data.jsonl and no stage directories (NN-<stage>/data.jsonl) — pass a run directory or a pipeline directory`, 2);
    }
    index.marks = readReviews(index.reviewPath);
    index.refresh();
    return index;
  }

  /** Read what was appended since the last call (new stage directories included); true when anything changed. */
  refresh(): boolean {
    let changed = this.discoverStages();
    for (const stage of this.stages) {
      const result = this.refreshStage(stage);
      if (result === "reset") return this.rebuild();
      changed ||= result === "appended";
    }
    if (changed) this.version++;
    return changed;
  }

  /** A file shrank or was replaced (a resumed run cut a torn tail): start over from the files. */
  private rebuild(): boolean {
    this.stages.length = 0;
    this.search = new SearchIndex();
    this.strings.length = 0;
    this.codes.clear();
    this.documentLanguage.length = 0;
    this.documentOperation.length = 0;
    this.documentRound.length = 0;
    for (const values of Object.values(this.facets)) values.clear();
    this.marks = readReviews(this.reviewPath);
    this.refresh();
    this.version++;
    return true;
  }

  private discoverStages(): boolean {
    const names = this.isPipeline ? stageDirectoryNames(this.dir, STAGE_MARKERS) : [basename(this.dir)];
    let added = false;
    for (const name of names.slice(this.stages.length, MAX_STAGES)) {
      const dir = this.isPipeline ? join(this.dir, name) : this.dir;
      this.stages.push(new StageIndex(this.stages.length, name, dir));
      added = true;
    }
    return added;
  }

  private refreshStage(stage: StageIndex): "unchanged" | "appended" | "reset" {
    const manifestChanged = this.refreshManifest(stage);
    // meta before data: a stage appends a unit's meta lines before its data lines.
    const results = [
      stage.tails.meta.poll((line) => this.addMeta(stage, line)),
      stage.tails.data.poll((line) => this.addKept(stage, line)),
      stage.tails.rejected.poll((line) => this.addRejected(stage, line)),
      stage.tails.progress.poll(() => stage.units++),
    ];
    if (results.includes("reset")) return "reset";
    return manifestChanged || results.includes("appended") ? "appended" : "unchanged";
  }

  private refreshManifest(stage: StageIndex): boolean {
    const path = join(stage.dir, "manifest.json");
    const mtime = existsSync(path) ? statSync(path).mtimeMs : -1;
    if (mtime === stage.manifestMtime) return false;
    stage.manifestMtime = mtime;
    const earlier = readEarlierManifest(stage.dir);
    const parsed = earlier && "value" in earlier ? Manifest.safeParse(earlier.value) : undefined;
    stage.manifest = parsed?.success ? parsed.data : stage.manifest;
    if (stage.manifest?.stage === "generate" || stage.name.endsWith("generate")) stage.similar ??= new TopPairs();
    return true;
  }

  private addMeta(stage: StageIndex, line: Line): void {
    const k = stage.metaOffset.length;
    stage.metaOffset.push(line.offset);
    stage.metaLength.push(line.length);
    const meta = foldedMeta(parseJsonOrUndefined(line.text));
    stage.kept.setFields(k, this.fieldsOfMeta(meta));
    if (meta.id !== undefined) {
      stage.kept.ids[k] = meta.id;
      stage.lineById.set(meta.id, k);
    }
    if (meta.most_similar_instructions && stage.similar) stage.pendingSimilar.set(k, meta.most_similar_instructions);
  }

  private fieldsOfMeta(meta: ViewMeta): RowFields {
    return {
      operation: this.operationCode(meta.operation),
      round: this.roundOf(meta.round),
      quality: meta.qualityScore ?? Number.NaN,
      complexity: meta.complexity ?? Number.NaN,
      reason: -1,
    };
  }

  private addKept(stage: StageIndex, line: Line): void {
    const k = stage.kept.count;
    let id = stage.kept.ids[k];
    let record: AlpacaRecord | undefined;
    const pending = stage.pendingSimilar.get(k);
    if (id === undefined || this.search.documentOf(id) < 0 || pending) {
      record = AlpacaRecord.safeParse(parseJsonOrUndefined(line.text)).data ?? { instruction: "", input: "", output: "" };
      if (id === undefined) {
        id = recordId(record);
        stage.kept.ids[k] = id;
        stage.lineById.set(id, k);
        stage.kept.setFields(k, NO_FIELDS);
      }
    }
    const document = this.documentFor(id, record);
    stage.kept.setPlace(k, line.offset, line.length, document.number, document.language);
    this.inheritLineage(stage.kept, k, document.number);
    this.search.addRow(document.number, rowKey(stage.number, KEPT, k));
    stage.kept.count = k + 1;
    if (pending && record) {
      stage.pendingSimilar.delete(k);
      for (const [similar, score] of Object.entries(pending)) stage.similar!.offer({ instruction: record.instruction, similar, score });
    }
  }

  private documentFor(id: string | undefined, record: AlpacaRecord | undefined): { number: number; language: number } {
    const known = id === undefined ? -1 : this.search.documentOf(id);
    if (known >= 0) return { number: known, language: this.documentLanguage[known]! };
    const full = record ?? { instruction: "", input: "", output: "" };
    const number = this.search.add(full, id);
    // Chinese needs Han characters: most text has none, and the Han share counts every letter
    const language = hasCjk(full.instruction) ? LANGUAGES.indexOf(detectLanguage(full.instruction)) : 0;
    this.documentLanguage[number] = language;
    return { number, language };
  }

  /** A later stage's copy of an evolved record (dedup, filter) filters by the operation and round that made it. */
  private inheritLineage(table: RowTable, line: number, document: number): void {
    if (table.operation[line]! >= 0) this.documentOperation[document] = table.operation[line]!;
    else table.operation[line] = this.documentOperation[document] ?? -1;
    if (table.round[line]! >= 0) this.documentRound[document] = table.round[line]!;
    else table.round[line] = this.documentRound[document] ?? -1;
  }

  private addRejected(stage: StageIndex, line: Line): void {
    const k = stage.rejected.count;
    const rejection = RejectedLine.safeParse(parseJsonOrUndefined(line.text)).data ?? RejectedLine.parse({});
    const detail = RejectionDetail.safeParse(rejection.detail ?? {}).data ?? {};
    const record = { instruction: rejection.record.instruction ?? "", input: rejection.record.input ?? "", output: rejection.record.output ?? "" };
    const complete = rejection.record.instruction !== undefined && rejection.record.input !== undefined && rejection.record.output !== undefined;
    const id = complete ? recordId(record) : undefined;
    stage.rejected.ids[k] = id;
    stage.rejected.setFields(k, {
      operation: this.operationCode(detail.operation),
      round: this.roundOf(detail.round),
      quality: detail.quality ?? (rejection.reason === "judge_low_score" ? (detail.score ?? Number.NaN) : Number.NaN),
      complexity: detail.complexity ?? Number.NaN,
      reason: this.code(rejection.reason),
    });
    this.facets.reasons.add(rejection.reason);
    const document = this.documentFor(id, record);
    stage.rejected.setPlace(k, line.offset, line.length, document.number, document.language);
    this.search.addRow(document.number, rowKey(stage.number, REJECTED, k));
    stage.rejected.count = k + 1;
    stage.reasonCounts.set(rejection.reason, (stage.reasonCounts.get(rejection.reason) ?? 0) + 1);
    if (detail.rootId) {
      const list = stage.rejectedByRoot.get(detail.rootId) ?? [];
      list.push(k);
      stage.rejectedByRoot.set(detail.rootId, list);
    }
  }

  private operationCode(operation: string | null | undefined): number {
    if (!operation) return -1;
    this.facets.operations.add(operation);
    return this.code(operation);
  }

  private roundOf(round: number | undefined): number {
    if (round === undefined || !Number.isInteger(round)) return -1;
    this.facets.rounds.add(round);
    return round;
  }

  private code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.strings.length;
      this.strings.push(value);
      this.codes.set(value, code);
    }
    return code;
  }

  /** The code of a string the tables hold, or -1 when no line has it. */
  codeOf(value: string): number {
    return this.codes.get(value) ?? -1;
  }

  stringOf(code: number): string | undefined {
    return code < 0 ? undefined : this.strings[code];
  }

  // ---- reviews ----

  markOf(id: string | undefined): ReviewMark | undefined {
    return id === undefined ? undefined : this.marks.get(id);
  }

  get reviewMarks(): ReadonlyMap<string, ReviewMark> {
    return this.marks;
  }

  /** Save a mark to review.jsonl (appended at once) and apply it. */
  review(id: string, verdict: ReviewVerdict, note: string | undefined, stage: string | undefined): ReviewMark {
    const mark: ReviewMark = { id, verdict, ...(note ? { note } : {}), ...(stage ? { stage } : {}), at: new Date().toISOString() };
    appendReview(this.reviewPath, mark);
    this.marks.delete(id);
    if (verdict !== "clear") this.marks.set(id, mark);
    this.version++;
    return mark;
  }

  // ---- queries ----

  /** Rows matching `filter`, in stage, kind and file order: the total and the refs of one page. */
  query(filter: RowFilter, offset: number, limit: number): { total: number; rows: RowRef[] } {
    const test = this.predicate(filter);
    const rows: RowRef[] = [];
    let total = 0;
    const take = (stage: number, kind: RowKind, line: number): void => {
      if (!test(stage, kind, line)) return;
      if (total >= offset && rows.length < limit) rows.push({ stage, kind, line });
      total++;
    };
    const searching = filter.query !== undefined && SearchIndex.searchable(filter.query);
    const documents = searching ? this.search.match(filter.query!) : undefined;
    // Few matching rows: visit just those, sorted into file order. Many: scan the files' lines in
    // order and test each line's document, which costs less than sorting most of the run.
    if (documents && this.search.rowCount(documents) * 8 < this.rowTotal(filter)) {
      for (const key of this.search.rowKeys(documents).sort()) {
        const { stage, kind, line } = decodeRowKey(key);
        take(stage, kind, line);
      }
      return { total, rows };
    }
    const matched = documents ? this.search.flags(documents) : undefined;
    for (const stage of this.stages) {
      if (filter.stage !== undefined && stage.number !== filter.stage) continue;
      for (const kind of [KEPT, REJECTED] as const) {
        if (filter.kind !== undefined && kind !== filter.kind) continue;
        const table = stage.table(kind);
        for (let line = 0; line < table.count; line++) if (!matched || matched[table.document[line]!] === 1) take(stage.number, kind, line);
      }
    }
    return { total, rows };
  }

  /** Lines in the files a filter looks at. */
  private rowTotal(filter: RowFilter): number {
    let total = 0;
    for (const stage of this.stages) {
      if (filter.stage !== undefined && stage.number !== filter.stage) continue;
      if (filter.kind !== REJECTED) total += stage.kept.count;
      if (filter.kind !== KEPT) total += stage.rejected.count;
    }
    return total;
  }

  private predicate(filter: RowFilter): (stage: number, kind: RowKind, line: number) => boolean {
    const operation = filter.operation === undefined ? undefined : this.codeOf(filter.operation);
    const reason = filter.reason === undefined ? undefined : this.codeOf(filter.reason);
    const language = filter.language === undefined ? undefined : LANGUAGES.indexOf(filter.language);
    const inRange = (value: number, min: number | undefined, max: number | undefined): boolean =>
      (min === undefined && max === undefined) || (!Number.isNaN(value) && (min === undefined || value >= min) && (max === undefined || value <= max));
    return (stageNumber, kind, line) => {
      if (filter.stage !== undefined && stageNumber !== filter.stage) return false;
      if (filter.kind !== undefined && kind !== filter.kind) return false;
      const table = this.stages[stageNumber]!.table(kind);
      if (line >= table.count) return false;
      if (language !== undefined && table.language[line] !== language) return false;
      if (operation !== undefined && table.operation[line] !== operation) return false;
      if (reason !== undefined && table.reason[line] !== reason) return false;
      if (filter.round !== undefined && table.round[line] !== filter.round) return false;
      if (!inRange(table.quality[line]!, filter.minQuality, filter.maxQuality)) return false;
      if (!inRange(table.complexity[line]!, filter.minComplexity, filter.maxComplexity)) return false;
      if (filter.review !== undefined) {
        const verdict = this.markOf(table.ids[line])?.verdict ?? "none";
        if (verdict !== filter.review) return false;
      }
      return true;
    };
  }

  /** The parsed line of a row (a data.jsonl record or a rejected.jsonl entry); undefined when the file changed under it. */
  readRow(ref: RowRef): unknown {
    const stage = this.stages[ref.stage];
    if (!stage || ref.line < 0 || ref.line >= stage.table(ref.kind).count) return undefined;
    const table = stage.table(ref.kind);
    return parseJsonOrUndefined(readLineAt(stage.path(ref.kind), table.offset[ref.line]!, table.length[ref.line]!));
  }

  /** The meta line of kept record `line`, history folded in, plus the raw line for display. */
  readMeta(stage: StageIndex, line: number): { meta: ViewMeta; raw: unknown } | undefined {
    if (line >= stage.metaOffset.length) return undefined;
    const raw = parseJsonOrUndefined(readLineAt(stage.tails.meta.path, stage.metaOffset[line]!, stage.metaLength[line]!));
    return { meta: foldedMeta(raw), raw };
  }

  /** Every stage that kept a record with this id, with its line there. */
  keptCopies(id: string): Array<{ stage: StageIndex; line: number }> {
    return this.stages.flatMap((stage) => {
      const line = stage.lineById.get(id);
      return line === undefined || line >= stage.kept.count ? [] : [{ stage, line }];
    });
  }

  readKept(stage: StageIndex, line: number): AlpacaRecord | undefined {
    return AlpacaRecord.safeParse(this.readRow({ stage: stage.number, kind: KEPT, line })).data;
  }

  readRejected(stage: StageIndex, line: number): RejectedLine | undefined {
    return RejectedLine.safeParse(this.readRow({ stage: stage.number, kind: REJECTED, line })).data;
  }
}
