/**
 * The viewer's JSON API over a RunIndex: what each endpoint answers, as plain functions (the
 * HTTP plumbing is in server.ts). Every list is paged; a page holds at most MAX_PAGE rows and
 * each row's text is cut to a preview, so the browser never receives the whole dataset.
 */
import { statSync } from "node:fs";
import { z } from "zod";
import { UserError } from "../errors.js";
import { countReviews, ReviewMark, ReviewVerdict } from "../io/review.js";
import { renderReport } from "../report/index.js";
import { COMPUTE_LIMIT, topSimilarPairs, type SimilarPairs } from "../report/similarPairs.js";
import { AlpacaRecord } from "../schemas.js";
import { recordView, refView, SeedLookup, type RecordView } from "./history.js";
import { RejectedLine } from "./lines.js";
import { KEPT, REJECTED, type RowKind } from "./rows.js";
import { LANGUAGES, type RowFilter, type RowRef, type RunIndex } from "./runIndex.js";

export const MAX_PAGE = 200;
const PREVIEW = { instruction: 400, input: 200, output: 240, evidence: 300 };
/** Above this much data the report (which loads whole files) is not rendered here. */
const REPORT_BYTES_LIMIT = 64 * 1024 * 1024;

const optionalNumber = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === "") return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) {
      context.addIssue({ code: "custom", message: `not a number: ${value}` });
      return z.NEVER;
    }
    return n;
  });
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === "" ? undefined : value));

/** The rows endpoint's query string. */
export const RowsQuery = z.object({
  stage: optionalNumber,
  kind: z.enum(["kept", "rejected", ""]).optional(),
  q: optionalText,
  lang: z.enum([...LANGUAGES, ""]).optional(),
  operation: optionalText,
  round: optionalNumber,
  qmin: optionalNumber,
  qmax: optionalNumber,
  cmin: optionalNumber,
  cmax: optionalNumber,
  reason: optionalText,
  review: z.enum(["good", "bad", "none", ""]).optional(),
  offset: optionalNumber,
  limit: optionalNumber,
});

export const RecordQuery = z.object({
  stage: z.coerce.number().int().nonnegative(),
  kind: z.enum(["kept", "rejected"]),
  line: z.coerce.number().int().nonnegative(),
});

export const ReviewBody = z.object({
  id: ReviewMark.shape.id,
  verdict: ReviewVerdict,
  note: z.string().max(2000).optional(),
  stage: z.string().max(200).optional(),
});

export class ViewApi {
  private readonly seeds = new SeedLookup();
  private similarCache: { version: number; pairs: SimilarPairs } | undefined;
  private reportCache: { version: number; html: string } | undefined;

  constructor(readonly index: RunIndex) {}

  overview(): Record<string, unknown> {
    const { index } = this;
    const stages = index.stages.map((stage) => {
      const llm = stage.manifest?.llm ?? {};
      const number = (key: string): number | undefined => (typeof llm[key] === "number" ? (llm[key] as number) : undefined);
      return {
        number: stage.number,
        name: stage.name,
        stage: stage.stageName,
        status: stage.manifest?.status ?? "unknown",
        kept: stage.kept.count,
        rejected: stage.rejected.count,
        units: stage.units,
        reasons: [...stage.reasonCounts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
        costUsd: number("costUsd"),
        tokens: (number("promptTokens") ?? 0) + (number("completionTokens") ?? 0),
        requests: number("httpRequests"),
        simulated: stage.manifest?.endpoint?.simulator === true,
      };
    });
    const final = index.stages[index.stages.length - 1];
    const languages = LANGUAGES.map((language, code) => {
      let count = 0;
      if (final) for (let line = 0; line < final.kept.count; line++) if (final.kept.language[line] === code) count++;
      return { language, count };
    });
    const { good, bad } = countReviews(index.reviewMarks);
    return {
      dir: index.dir,
      isPipeline: index.isPipeline,
      version: index.version,
      live: stages.some((stage) => stage.status === "running"),
      simulated: stages.some((stage) => stage.simulated),
      stages,
      finalStage: final?.number,
      totals: { costUsd: stages.reduce((sum, s) => sum + (s.costUsd ?? 0), 0), tokens: stages.reduce((sum, s) => sum + s.tokens, 0) },
      languages,
      reviews: { good, bad, file: index.reviewPath },
      facets: {
        operations: [...index.facets.operations].sort(),
        rounds: [...index.facets.rounds].sort((a, b) => a - b),
        reasons: [...index.facets.reasons].sort(),
      },
      reportAvailable: this.reportAvailable(),
    };
  }

  rows(query: z.infer<typeof RowsQuery>): Record<string, unknown> {
    const filter: RowFilter = {
      stage: query.stage,
      kind: query.kind === "kept" ? KEPT : query.kind === "rejected" ? REJECTED : undefined,
      query: query.q,
      language: query.lang === "" ? undefined : query.lang,
      operation: query.operation,
      round: query.round,
      minQuality: query.qmin,
      maxQuality: query.qmax,
      minComplexity: query.cmin,
      maxComplexity: query.cmax,
      reason: query.reason,
      review: query.review === "" ? undefined : query.review,
    };
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(query.limit ?? 50)));
    const started = performance.now();
    const { total, rows } = this.index.query(filter, offset, limit);
    const tookMs = performance.now() - started;
    return { total, offset, limit, tookMs: Math.round(tookMs * 100) / 100, version: this.index.version, rows: rows.map((ref) => this.rowSummary(ref)) };
  }

  private rowSummary(ref: RowRef): Record<string, unknown> {
    const stage = this.index.stages[ref.stage]!;
    const table = stage.table(ref.kind);
    const value = this.index.readRow(ref);
    const rejection = ref.kind === REJECTED ? RejectedLine.safeParse(value).data : undefined;
    const record = ref.kind === KEPT ? AlpacaRecord.safeParse(value).data : rejection?.record;
    const id = table.ids[ref.line];
    const score = (n: number | undefined): number | undefined => (n === undefined || Number.isNaN(n) ? undefined : n);
    return {
      ref: refView(ref.stage, ref.kind, ref.line),
      stage: stage.name,
      id,
      instruction: preview(record?.instruction ?? "", PREVIEW.instruction),
      input: preview(record?.input ?? "", PREVIEW.input),
      output: preview(record?.output ?? "", PREVIEW.output),
      language: LANGUAGES[table.language[ref.line]!],
      operation: this.index.stringOf(table.operation[ref.line]!),
      round: table.round[ref.line]! >= 0 ? table.round[ref.line] : undefined,
      quality: score(table.quality[ref.line]),
      complexity: score(table.complexity[ref.line]),
      reason: rejection?.reason,
      evidence: rejection?.detail ? preview(JSON.stringify(rejection.detail), PREVIEW.evidence) : undefined,
      review: this.index.markOf(id)?.verdict,
    };
  }

  async record(query: z.infer<typeof RecordQuery>): Promise<RecordView | undefined> {
    const kind: RowKind = query.kind === "kept" ? KEPT : REJECTED;
    return recordView(this.index, { stage: query.stage, kind, line: query.line }, this.seeds);
  }

  review(body: z.infer<typeof ReviewBody>): Record<string, unknown> {
    const mark = this.index.review(body.id, body.verdict, body.note?.trim() || undefined, body.stage);
    return { mark, version: this.index.version };
  }

  /** generate's recorded scores (last stage that has them), else ROUGE-L over a small final stage. */
  similar(): SimilarPairs & { computeLimit: number } {
    const { index } = this;
    if (this.similarCache?.version !== index.version) {
      const recorded = [...index.stages].reverse().find((stage) => stage.similar && stage.similar.sorted().length > 0);
      let pairs: SimilarPairs;
      if (recorded) pairs = { source: "meta", pairs: recorded.similar!.sorted() };
      else {
        const final = index.stages[index.stages.length - 1];
        const count = final?.kept.count ?? 0;
        const instructions = final && count <= COMPUTE_LIMIT ? Array.from({ length: count }, (_, line) => index.readKept(final, line)?.instruction ?? "") : [];
        pairs = count <= COMPUTE_LIMIT ? topSimilarPairs(instructions, []) : { source: "none", pairs: [] };
      }
      this.similarCache = { version: index.version, pairs };
    }
    return { ...this.similarCache.pairs, computeLimit: COMPUTE_LIMIT };
  }

  reportAvailable(): boolean {
    const bytes = this.index.stages.reduce((sum, stage) => sum + sizeOf(stage.tails.data.path) + sizeOf(stage.tails.meta.path), 0);
    return this.index.stages.length > 0 && bytes <= REPORT_BYTES_LIMIT;
  }

  /** The static report (its charts), rendered on demand and kept until the run changes. */
  report(): string | undefined {
    if (!this.reportAvailable()) return undefined;
    if (this.reportCache?.version !== this.index.version) {
      try {
        this.reportCache = { version: this.index.version, html: renderReport(this.index.dir) };
      } catch (error) {
        if (error instanceof UserError) return undefined; // no stage has kept a record yet
        throw error;
      }
    }
    return this.reportCache.html;
  }
}

function preview(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
