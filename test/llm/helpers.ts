/** Shared setup for the LLM-layer tests: settings pointing at an in-process simulator. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import type { LlmSettings } from "../../src/llm/types.js";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../src/simulator/server.js";

export const TEST_KEY = "sk-test-secret-key-0123456789";

export function testSettings(baseUrl: string, overrides: Partial<LlmSettings> = {}): LlmSettings {
  return {
    baseUrl,
    apiKey: TEST_KEY,
    model: "sim-model",
    concurrency: 8,
    timeoutMs: 5_000,
    maxRetries: 6,
    ...overrides,
  };
}

/** Backoff short enough for tests; the policy itself is unit-tested in retry.test.ts. */
export const FAST_BACKOFF = { baseMs: 5, maxMs: 2_000 };

export function userPrompt(text: string) {
  return { messages: [{ role: "user" as const, content: text }] };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "instructforge-llm-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Simulators started by a test file, closed after each test: `const simulator = useSimulators({seed: 7})`
 * at the top of the file, then `await simulator({latencyMs: 20})` in a test.
 */
export function useSimulators(defaults: SimulatorOptions = {}): (options?: SimulatorOptions) => Promise<RunningSimulator> {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });
  return async (options = {}) => {
    const sim = await startSimulator({ ...defaults, ...options });
    running.push(sim);
    return sim;
  };
}
