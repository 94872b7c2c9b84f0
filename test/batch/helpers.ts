/** Shared pieces of the Batch API tests (all against the SIMULATOR, the project's test double). */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningSimulator } from "../../src/simulator/server.js";

export interface JournalLine {
  type: "wave" | "batch" | "collected";
  wave?: number;
  lines?: number;
  batchId?: string;
  fingerprint?: string;
}

export function readJournal(runDir: string): JournalLine[] {
  const path = join(runDir, "batches.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as JournalLine];
      } catch {
        return []; // a torn last line while the CLI is writing
      }
    });
}

/** Resolves once `condition` holds; checked every 10 ms, up to `limitMs` (then the test fails). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every batch the simulator holds, newest first, read through its own list endpoint (pages of 100). */
export async function listSimBatches(sim: RunningSimulator): Promise<Array<{ id: string; status: string; metadata: Record<string, string> | null }>> {
  const all: Array<{ id: string; status: string; metadata: Record<string, string> | null }> = [];
  let after: string | null = null;
  for (;;) {
    const response = await fetch(`${sim.url}/batches?limit=100${after ? `&after=${after}` : ""}`, { headers: { authorization: "Bearer x" } });
    const page = (await response.json()) as { data: typeof all; has_more: boolean; last_id: string | null };
    all.push(...page.data);
    if (!page.has_more) return all;
    after = page.last_id;
  }
}

/** Ids whose submissions include one that completed (their reply was delivered once). */
export function outcomesOf(sim: RunningSimulator): string[][] {
  return Object.values(sim.batchStats().submissions);
}
