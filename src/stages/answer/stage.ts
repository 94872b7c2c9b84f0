/**
 * The answer stage: one unit per input record. Records with an output pass through unchanged;
 * the others are answered with `answerInstruction`. An empty answer is dropped, never written.
 */
import { resolve } from "node:path";
import { readRecordFile, type RecordItem } from "../../io/records.js";
import type { UnitResult } from "../../io/runDir.js";
import type { LlmClient, LlmSettings } from "../../llm/types.js";
import { runOrdered } from "../../runtime/ordered.js";
import { withStageRun, type StageContext } from "../../runtime/stageRun.js";
import { recordId, type Language } from "../../schemas.js";
import { detectLanguage } from "../../text/language.js";
import { answerInstruction, loadAnswerSystemPrompt } from "./answer.js";

export interface AnswerStageOptions {
  inPath: string;
  outDir: string;
  lang: Language | "auto";
  systemPromptFile?: string;
  maxTokens: number;
  temperature: number;
  llm: LlmSettings;
}

export interface AnswerSummary {
  outDir: string;
  answered: number;
  passedThrough: number;
  rejected: number;
}

export async function runAnswer(options: AnswerStageOptions, context?: StageContext): Promise<AnswerSummary> {
  const input = await readRecordFile(options.inPath);
  // Read (and so check) a custom system prompt before any request is paid for.
  const customPrompt = options.systemPromptFile === undefined ? undefined : await loadAnswerSystemPrompt("en", options.systemPromptFile);
  const config = {
    in: resolve(options.inPath),
    inputRecords: input.items.length,
    lang: options.lang,
    systemPrompt: options.systemPromptFile === undefined ? null : resolve(options.systemPromptFile),
    maxTokens: options.maxTokens,
    temperature: options.temperature,
    model: options.llm.model,
  };
  const fingerprint = {
    options: { lang: options.lang, maxTokens: options.maxTokens, temperature: options.temperature },
    files: { input: options.inPath, systemPrompt: options.systemPromptFile },
  };
  const stageRun = { outDir: options.outDir, stage: "answer", config, fingerprint, llm: options.llm, label: "answer", upstream: options.inPath, context };
  return withStageRun(stageRun, async (run) => {
    // Counted from the committed meta too, so a resumed run reports the whole run.
    let answered = run.runDir.state.accepted.filter((a) => a.meta.answered === true).length;
    let passedThrough = run.runDir.state.accepted.length - answered;
    const work = (unit: number) => {
      const item = input.items[unit]!;
      return run.refusable(
        () => answerUnit(run.llm, item, options, customPrompt),
        (evidence) => ({ accepted: [], rejected: [{ reason: "request_refused", record: item.record, detail: { line: item.line, ...evidence } }], answered: false }),
      );
    };
    await runOrdered<UnitResult & { answered: boolean }>({
      start: run.runDir.state.nextUnit,
      end: input.items.length,
      window: options.llm.concurrency * 2,
      signal: run.signal,
      work,
      commit: (unit, result) => {
        run.runDir.commit(unit, result);
        if (result.accepted.length > 0) {
          if (result.answered) answered++;
          else passedThrough++;
        }
        run.progress(unit + 1, input.items.length);
      },
    });
    return { outDir: run.runDir.dir, answered, passedThrough, rejected: run.runDir.rejected };
  });
}

async function answerUnit(llm: LlmClient, item: RecordItem, options: AnswerStageOptions, systemPrompt: string | undefined): Promise<UnitResult & { answered: boolean }> {
  const { record } = item;
  if (record.output.trim() !== "") {
    return { accepted: [{ record, meta: { answered: false, lang: detectLanguage(record.instruction) } }], rejected: [], answered: false };

  }
  const answer = await answerInstruction(llm, record, {
    lang: options.lang,
    systemPrompt,
    maxTokens: options.maxTokens,
    temperature: options.temperature,
  });
  if (answer.output === "") {
    return { accepted: [], rejected: [{ reason: "empty_answer", record, detail: { line: item.line, finishReason: answer.finishReason } }], answered: true };
  }
  return {
    accepted: [{ record: { ...record, output: answer.output }, sourceId: recordId(record), meta: { answered: true, lang: answer.lang, finishReason: answer.finishReason } }],
    rejected: [],
    answered: true,
  };
}
