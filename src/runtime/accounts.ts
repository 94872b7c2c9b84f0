/**
 * The run directory's request ledger (`requests.jsonl`): one line when an HTTP request goes out and
 * one when its attempt ends, tagged with the attempt (the how-many-th time this directory was run).
 * A manifest is rewritten every few seconds, so a killed attempt's last manifest undercounts; the
 * ledger is appended as requests happen, so every paid request of every attempt is accounted for,
 * even after SIGKILL. Requests sent and never finished (the process was stopped) are "abandoned":
 * the server may have done, and billed, the work.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { readJsonLines } from "../io/jsonl.js";
import { emptyLlmTotals } from "../llm/client.js";
import type { LlmTotals, TokenUsage } from "../llm/types.js";

export const LEDGER_FILE = "requests.jsonl";

const LedgerLine = z.discriminatedUnion("event", [
  z.object({ attempt: z.number().int().positive(), event: z.literal("sent") }),
  z.object({
    attempt: z.number().int().positive(),
    event: z.literal("done"),
    promptTokens: z.number().nonnegative().optional(),
    completionTokens: z.number().nonnegative().optional(),
    costUsd: z.number().nonnegative().optional(),
  }),
]);

/** What the ledger knows of one attempt: exact, whatever happened to the process. */
export interface LedgerTotals {
  httpRequests: number;
  /** Sent and never finished: in flight when the attempt ended. */
  abandoned: number;
  paidPromptTokens: number;
  paidCompletionTokens: number;
  costUsd: number;
}

export function emptyLedgerTotals(): LedgerTotals {
  return { httpRequests: 0, abandoned: 0, paidPromptTokens: 0, paidCompletionTokens: 0, costUsd: 0 };
}

/** Per attempt, from the ledger of `dir`; a torn last line (a kill mid-write) is ignored. */
export function readLedger(dir: string): Map<number, LedgerTotals> {
  const byAttempt = new Map<number, LedgerTotals>();
  for (const value of readJsonLines(join(dir, LEDGER_FILE)).values) {
    const line = LedgerLine.safeParse(value);
    if (!line.success) continue;
    const totals = byAttempt.get(line.data.attempt) ?? emptyLedgerTotals();
    byAttempt.set(line.data.attempt, totals);
    if (line.data.event === "sent") {
      totals.httpRequests++;
      totals.abandoned++;
    } else {
      totals.abandoned--;
      totals.paidPromptTokens += line.data.promptTokens ?? 0;
      totals.paidCompletionTokens += line.data.completionTokens ?? 0;
      totals.costUsd += line.data.costUsd ?? 0;
    }
  }
  return byAttempt;
}

/** Appends this attempt's lines; each line is one write, so a kill leaves whole lines or one torn tail. */
export class LedgerWriter {
  private fd: number | undefined;
  /** What this attempt's lines add up to, kept as they are written (the file need not be read back). */
  private readonly running = emptyLedgerTotals();

  constructor(
    dir: string,
    private readonly attempt: number,
  ) {
    this.fd = openSync(join(dir, LEDGER_FILE), "a");
  }

  sent(): void {
    this.running.httpRequests++;
    this.running.abandoned++;
    this.write(`{"attempt":${this.attempt},"event":"sent"}\n`);
  }

  /** The attempt ended: with the usage and cost of a paid reply, or without (an error answer). */
  done(usage?: TokenUsage, costUsd?: number): void {
    this.running.abandoned--;
    if (usage) {
      this.running.paidPromptTokens += usage.promptTokens;
      this.running.paidCompletionTokens += usage.completionTokens;
      this.running.costUsd += costUsd ?? 0;
    }
    const paid = usage ? `,"promptTokens":${usage.promptTokens},"completionTokens":${usage.completionTokens},"costUsd":${costUsd ?? 0}` : "";
    this.write(`{"attempt":${this.attempt},"event":"done"${paid}}\n`);
  }

  /** This attempt so far: the same figures `readLedger` gives for it. */
  totals(): LedgerTotals {
    return { ...this.running };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(line: string): void {
    // Accounting must never stop a paid run: a full disk shows up in the data files' writes.
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, line);
    } catch {
      /* reported by the run directory's own appends */
    }
  }
}

/** One attempt as the manifest lists it. */
export interface AttemptAccount {
  attempt: number;
  startedAt: string;
  status: string;
  /** The client's totals as last written by that attempt (retries, cache hits …). */
  llm?: LlmTotals;
  /** Exact, from the ledger. */
  ledger: LedgerTotals;
}

/** All attempts summed: the ledger's exact figures win over a killed attempt's stale snapshot. */
export function sumAttempts(attempts: readonly AttemptAccount[]): LlmTotals & { abandoned: number } {
  const sum = { ...emptyLlmTotals(), abandoned: 0 };
  for (const { llm, ledger } of attempts) {
    sum.httpRequests += ledger.httpRequests;
    sum.abandoned += ledger.abandoned;
    sum.costUsd += ledger.costUsd;
    sum.replies += llm?.replies ?? 0;
    sum.cacheHits += llm?.cacheHits ?? 0;
    sum.retries += llm?.retries ?? 0;
    sum.failures += llm?.failures ?? 0;
    sum.failovers += llm?.failovers ?? 0;
    sum.providerCachedPromptTokens += llm?.providerCachedPromptTokens ?? 0;
    // Tokens: the paid ones are exact from the ledger; replayed (free) ones come from the snapshot.
    sum.promptTokens += ledger.paidPromptTokens + (llm?.cachedPromptTokens ?? 0);
    sum.completionTokens += ledger.paidCompletionTokens + (llm?.cachedCompletionTokens ?? 0);
    sum.cachedPromptTokens += llm?.cachedPromptTokens ?? 0;
    sum.cachedCompletionTokens += llm?.cachedCompletionTokens ?? 0;
    for (const [cause, n] of Object.entries(llm?.retriesByCause ?? {})) sum.retriesByCause[cause] = (sum.retriesByCause[cause] ?? 0) + n;
  }
  return sum;
}
