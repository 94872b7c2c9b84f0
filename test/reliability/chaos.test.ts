/**
 * Crash test, short form for CI (the full 20-kill run is `npm run test:chaos`): SIGKILL a generate
 * and an evolve job at seeded-random moments, re-run until done, and compare with an uninterrupted
 * run; Ctrl-C a run and resume it. See chaosEngine.ts for what each check proves.
 */
import { afterAll, describe, expect, it } from "vitest";
import { evolveJob, generateJob, runChaosJob, runSigintCheck, describeKill, type ChaosReport } from "./chaosEngine.js";
import { makeTempDir, removeDir } from "./harness.js";

const workDir = makeTempDir("chaos-ci");
afterAll(() => removeDir(workDir));

const settings = { kills: 4, seed: 20260, latencyMs: 35 };

function expectDurable(report: ChaosReport): void {
  const context = `${report.job}: ${report.kills.map(describeKill).join("\n")}`;
  expect(report.problems, context).toEqual([]);
  expect(report.kills.length, context).toBeGreaterThanOrEqual(3);
  expect(report.lost).toBe(0);
  expect(report.duplicates).toBe(0);
  expect(report.sameOrder).toBe(true);
  const r = report.requests;
  expect(r.resent, context).toBeLessThanOrEqual(r.inFlightAtKills + r.lostInTransit);
}

describe("crash test (SIGKILL, then re-run until done)", () => {
  let generateReport: ChaosReport | undefined;

  it("generate: the dataset, meta and rejections equal an uninterrupted run's; only requests in flight at a kill are paid twice", async () => {
    generateReport = await runChaosJob(generateJob(600), settings, workDir);
    expectDurable(generateReport);
    expect(Math.abs(generateReport.requests.overLaunchDifference)).toBeLessThanOrEqual(16);
  }, 60_000);

  it("evolve: the same, and not a single request body the uninterrupted run did not send", async () => {
    const report = await runChaosJob(evolveJob(workDir, 30, 1), { ...settings, seed: settings.seed + 1 }, workDir);
    expectDurable(report);
    expect(report.requests.overLaunchDifference).toBe(0);
    expect(report.requests.extra).toBeLessThanOrEqual(report.requests.inFlightAtKills + report.requests.lostInTransit);
  }, 60_000);

  it("Ctrl-C stops launching work, with everything counted on disk, exit 130, a resume hint; the re-run completes", async () => {
    expect(generateReport, "needs the generate reference run").toBeDefined();
    const report = await runSigintCheck(generateJob(600), settings, workDir, generateReport!);
    expect(report.problems).toEqual([]);
    expect(report.exitCode).toBe(130);
    expect(report.requestsAfterSignal).toBeLessThanOrEqual(generateJob(600).launchWindow);
    expect(report.dataLines).toBe(report.manifestAccepted);
    expect(report.dataLines).toBeGreaterThan(0);
    expect(report.finalMatchesReference).toBe(true);
  }, 30_000);
});
