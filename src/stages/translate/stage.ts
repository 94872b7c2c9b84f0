/**
 * The translate stage. One unit = one group of `recordsPerRequest` consecutive input records:
 *   flag tasks that do not survive translation → translate the rest (one batched request, failed
 *   records retried alone) → optionally answer the translated instruction in Chinese → save.
 * Units are committed in input order, so a resumed run continues at the first unfinished group
 * and replays finished requests from the cache.
 */
import { resolve } from "node:path";
import { readRecordFile, type RecordItem } from "../../io/records.js";
import type { AcceptedRecord, UnitResult } from "../../io/runDir.js";
import type { LlmClient, LlmSettings } from "../../llm/types.js";
import { runOrdered } from "../../runtime/ordered.js";
import { withStageRun, type StageContext } from "../../runtime/stageRun.js";
import { recordId } from "../../schemas.js";
import { CHINESE_HAN_SHARE, hanShare } from "../../text/language.js";
import { answerInstruction } from "../answer/answer.js";
import type { TranslatableField } from "./fields.js";
import { classifyLanguageSpecific, flagName } from "./languageSpecific.js";
import { loadTranslatePrompt, type TranslatePrompt } from "./prompt.js";
import type { JsonValueMode } from "./structured.js";
import { translateGroup, type TranslationOutcome } from "./translate.js";

export interface TranslateSettings {
  inPath: string;
  outDir: string;
  to: "zh";
  fields: TranslatableField[];
  /** Translate instruction and input, then answer the translated instruction in Chinese. */
  regenerateOutput: boolean;
  keepLanguageSpecific: boolean;
  recordsPerRequest: number;
  /** Requests one record may take in all (batch share included). */
  maxAttempts: number;
  promptPath?: string;
  /** A field that is all JSON: translate its prose string values (default), all of them, or none (structured.ts). */
  jsonValues?: JsonValueMode;
}

export interface TranslateSummary {
  outDir: string;
  records: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

const STAGE = "translate";

/** Bounds the CLI and the config share: one request holds at most this many records, one record at most this many attempts. */
export const TRANSLATE_LIMITS = { recordsPerRequest: 20, attempts: 10 } as const;

export async function runTranslate(settings: TranslateSettings, llm: LlmSettings, context?: StageContext): Promise<TranslateSummary> {
  // Everything that can be wrong with the input is found before the run directory is touched.
  const file = await readRecordFile(settings.inPath);
  const prompt = await loadTranslatePrompt(settings.promptPath);
  const config = {
    in: resolve(settings.inPath),
    to: settings.to,
    fields: fieldsToTranslate(settings),
    regenerateOutput: settings.regenerateOutput,
    keepLanguageSpecific: settings.keepLanguageSpecific,
    recordsPerRequest: settings.recordsPerRequest,
    maxAttempts: settings.maxAttempts,
    jsonValues: settings.jsonValues ?? "prose",
    model: llm.model,
    baseUrl: llm.baseUrl,
  };
  const groups = groupItems(file.items, settings.recordsPerRequest);
  // How records map to units and what is asked decide the work; attempts and the endpoint may change.
  const { in: _in, maxAttempts: _attempts, model: _model, baseUrl: _url, ...work } = config;
  const fingerprint = { options: work, files: { input: settings.inPath, prompt: settings.promptPath } };
  const stageRun = { outDir: settings.outDir, stage: STAGE, config, fingerprint, llm, label: STAGE, upstream: settings.inPath, context };
  return withStageRun(stageRun, async (run) => {
    const { runDir } = run;
    await runOrdered({
      start: runDir.state.nextUnit,
      end: groups.length,
      window: llm.concurrency * 2,
      signal: run.signal,
      work: (unit) =>
        run.refusable(
          () => translateUnit(run.llm, groups[unit]!, settings, prompt),
          (evidence) => ({ accepted: [], rejected: groups[unit]!.map((item) => ({ reason: "request_refused", record: item.record, detail: { ...evidence, ...sourceOf(item) } })) }),
        ),
      commit: (unit, result) => {
        runDir.commit(unit, result);
        run.progress(Math.min((unit + 1) * settings.recordsPerRequest, file.items.length), file.items.length);
      },
    });
    return { outDir: runDir.dir, records: file.items.length, accepted: runDir.accepted, rejected: runDir.rejected, rejectedByReason: runDir.rejectedCounts() };
  });
}

export function fieldsToTranslate(settings: Pick<TranslateSettings, "fields" | "regenerateOutput">): TranslatableField[] {
  return settings.regenerateOutput ? settings.fields.filter((field) => field !== "output") : settings.fields;
}

function groupItems(items: readonly RecordItem[], size: number): RecordItem[][] {
  const groups: RecordItem[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}

async function translateUnit(llm: LlmClient, items: readonly RecordItem[], settings: TranslateSettings, prompt: TranslatePrompt): Promise<UnitResult> {
  const result: UnitResult = { accepted: [], rejected: [] };
  const toTranslate: Array<{ item: RecordItem; flags: string[] }> = [];
  for (const item of items) {
    const flag = classifyLanguageSpecific(item.record);
    if (flag && !settings.keepLanguageSpecific) {
      result.rejected.push({ reason: flagName(flag), record: item.record, detail: { matched: flag.matched, ...sourceOf(item) } });
    } else {
      toTranslate.push({ item, flags: flag ? [flagName(flag)] : [] });
    }
  }
  const outcomes = await translateGroup(
    llm,
    toTranslate.map(({ item }) => item.record),
    { fields: fieldsToTranslate(settings), prompt, maxAttempts: settings.maxAttempts, jsonValues: settings.jsonValues },
  );
  // Answers are asked one by one, in input order, so the run stays deterministic.
  for (const [index, outcome] of outcomes.entries()) {
    const { item, flags } = toTranslate[index]!;
    if (!outcome.ok) {
      result.rejected.push({ reason: outcome.reason, record: item.record, detail: { ...outcome.detail, retries: outcome.retries, ...sourceOf(item) } });
      continue;
    }
    const finished = await finishRecord(llm, outcome, item, flags, settings.regenerateOutput);
    if ("reason" in finished) result.rejected.push(finished);
    else result.accepted.push(finished);
  }
  return result;
}

/** Answers asked per record; a second sample when the first is not Chinese. */
const ANSWER_ATTEMPTS = 2;

async function finishRecord(
  llm: LlmClient,
  outcome: Extract<TranslationOutcome, { ok: true }>,
  item: RecordItem,
  flags: string[],
  regenerateOutput: boolean,
): Promise<AcceptedRecord | UnitResult["rejected"][number]> {
  const meta = { ...outcome.meta, source_line: item.line, flags };
  const sourceId = recordId(item.record);
  if (!regenerateOutput) return { record: outcome.record, meta, sourceId };
  let share = 0;
  for (let sampleIndex = 0; sampleIndex < ANSWER_ATTEMPTS; sampleIndex++) {
    const answer = await answerInstruction(llm, outcome.record, { lang: "zh", sampleIndex });
    share = proseHanShare(answer.output);
    if (share >= CHINESE_HAN_SHARE) {
      return { record: { ...outcome.record, output: answer.output }, sourceId, meta: { ...meta, output_regenerated: true, finishReason: answer.finishReason, retries: meta.retries + sampleIndex } };
    }
  }
  return { reason: "answer_not_chinese", record: item.record, detail: { translated: outcome.record, hanShare: share, threshold: CHINESE_HAN_SHARE, attempts: ANSWER_ATTEMPTS, ...sourceOf(item) } };
}

/**
 * Han share of the answer's prose. An answer that is nothing but code has no prose to judge and
 * passes: "Write a Python function…" is rightly answered with a code block.
 */
function proseHanShare(text: string): number {
  const prose = text.replace(/```[\s\S]*?```/g, " ").replace(/`[^`\n]*`/g, " ");
  const letters = prose.match(/\p{L}/gu)?.length ?? 0;
  return letters < 10 ? 1 : hanShare(prose);
}

const sourceOf = (item: RecordItem) => ({ source_id: recordId(item.record), source_line: item.line });

