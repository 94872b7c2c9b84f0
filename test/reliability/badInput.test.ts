/**
 * The bad-input corpus (issue #9): every file of test/fixtures/bad/ fed to a command that reads
 * it, plus flag, environment and output-path mistakes. Each must give one clear message (file,
 * line, what to fix), a non-zero exit, no stack trace and no half-written output; BOM and CRLF
 * files are accepted. The full matrix (every file × every reader) runs in `npm run test:chaos`.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../src/simulator/server.js";
import { startSimulator } from "../../src/simulator/server.js";
import { ACCEPTED_FIXTURES, availableReaders, cliCases, fixtureCases, runCase, type BadInputCase, type CaseContext } from "./badInputCases.js";
import { makeTempDir, removeDir, unusedLocalUrl } from "./harness.js";

const workDir = makeTempDir("bad-input");
let sim: RunningSimulator;
let deadUrl: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  deadUrl = await unusedLocalUrl();
});
afterAll(async () => {
  await sim.close();
  removeDir(workDir);
});

const readers = await availableReaders();
const cases: BadInputCase[] = [...fixtureCases({ full: false, readers }), ...cliCases()];
let caseNumber = 0;

function contextFor(): CaseContext {
  return { dir: join(workDir, String(caseNumber++)), simUrl: sim.url, deadUrl };
}

describe.concurrent("bad inputs give one clear message, a non-zero exit, no stack trace and no half-written output", () => {
  it("covers at least 30 cases and every fixture file", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const named = new Set(cases.map((c) => c.name.split("bad/")[1]).filter(Boolean));
    expect(named.size).toBe(36);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const outcome = await runCase(testCase, contextFor());
    expect(outcome.failures, `stderr: ${outcome.result.stderr.slice(0, 600)}`).toEqual([]);
  });
});

describe("BOM and CRLF inputs are accepted", () => {
  it.each(ACCEPTED_FIXTURES)("%s is in the corpus as an accepted case", (file) => {
    const accepted = cases.filter((c) => c.name.endsWith(`bad/${file}`) && c.expectError === undefined);
    expect(accepted.length).toBeGreaterThan(0);
  });
});
