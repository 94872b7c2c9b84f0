/**
 * `npm run test:chaos` — the full crash test of issue #9 against the SIMULATOR (a test double).
 *
 *   node dist/scripts/chaos.js [--kills 20] [--seed 9] [--latency-ms 35] [--lock-cycles 50] [--keep]
 *
 * A `generate` job and an `evolve` job are each SIGKILLed at --kills seeded-random moments and
 * re-run until done, then compared with an uninterrupted run (see test/reliability/chaosEngine.ts);
 * a Ctrl-C (SIGINT) run of each must stop cleanly and resume; the bad-input corpus is fed to the
 * CLI; the run-directory lock goes through --lock-cycles SIGKILL + immediate re-run cycles with
 * the killed processes left unreaped (test/reliability/lockChaos.ts). Prints every kill moment
 * and a summary table; exits 1 if any check failed.
 */
import { parseArgs } from "node:util";
import { describeKill, evolveJob, generateJob, runChaosJob, runSigintCheck, type ChaosReport, type SigintReport } from "../test/reliability/chaosEngine.js";
import { runBadInputCorpus, type BadInputSummary } from "../test/reliability/badInputCases.js";
import { makeTempDir, removeDir } from "../test/reliability/harness.js";
import { runLockChaos } from "../test/reliability/lockChaos.js";

interface Options {
  kills: number;
  seed: number;
  latencyMs: number;
  lockCycles: number;
  keep: boolean;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      kills: { type: "string", default: "20" },
      seed: { type: "string", default: "9" },
      "latency-ms": { type: "string", default: "35" },
      "lock-cycles": { type: "string", default: "50" },
      keep: { type: "boolean", default: false },
    },
  });
  return { kills: Number(values.kills), seed: Number(values.seed), latencyMs: Number(values["latency-ms"]), lockCycles: Number(values["lock-cycles"]), keep: values.keep === true };
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const options = readOptions();
  const workDir = makeTempDir("chaos");
  log(`chaos: ${options.kills} SIGKILLs per job, seed ${options.seed}, simulator latency ${options.latencyMs} ms, work dir ${workDir}`);
  const settings = { kills: options.kills, seed: options.seed, latencyMs: options.latencyMs, log };
  try {
    const jobs = [generateJob(3000), evolveJob(workDir, 175, 2)];
    const reports: ChaosReport[] = [];
    const sigints: SigintReport[] = [];
    for (const job of jobs) {
      const report = await runChaosJob(job, { ...settings, seed: settings.seed + reports.length }, workDir);
      reports.push(report);
      sigints.push(await runSigintCheck(job, settings, workDir, report));
    }
    const badInputs = await runBadInputCorpus(workDir);
    const lock = await runLockChaos({ cycles: options.lockCycles, num: 1000, latencyMs: options.latencyMs }, workDir);
    printDetails(reports, sigints, badInputs);
    printTable(reports, sigints, badInputs);
    log(
      `\nlock: ${lock.cycles} SIGKILL + immediate re-run cycles (killed CLIs left unreaped: ${lock.zombies} zombies at their successor's first commit), ` +
        `refused ${lock.refused}, two writers ${lock.twoWriters}, ${lock.completedJobs} jobs completed equal to an uninterrupted run, ${(lock.durationMs / 1000).toFixed(1)} s`,
    );
    const failed = [...reports.flatMap((r) => r.problems), ...sigints.flatMap((s) => s.problems), ...badInputs.failures, ...lock.problems];
    if (failed.length > 0) {
      log(`\nFAILED (${failed.length}):\n  ${failed.join("\n  ")}`);
      process.exitCode = 1;
    } else log("\nall chaos checks passed");
  } finally {
    if (options.keep) log(`kept ${workDir}`);
    else removeDir(workDir);
  }
}

function printDetails(reports: ChaosReport[], sigints: SigintReport[], badInputs: BadInputSummary): void {
  for (const report of reports) {
    const r = report.requests;
    log(`\n${report.job}: ${report.kills.length} kills over ${report.attempts} attempts, ${report.records} records, same order as reference: ${report.sameOrder}`);
    for (const kill of report.kills) log(`  ${describeKill(kill)}`);
    log(
      `  requests: reference ${r.reference}, chaos ${r.chaos} (extra ${r.extra}); paid twice ${r.resent}; in flight at kills ${r.inFlightAtKills}; ` +
        `lost in transit ${r.lostInTransit}; end over-launch difference ${r.overLaunchDifference}` +
        (r.referenceOverLaunch === undefined ? "" : `; reference over-launch ${r.referenceOverLaunch} requests past the last committed unit`),
    );
  }
  for (const s of sigints) {
    log(`\n${s.job} SIGINT: stopped in ${s.stopMs} ms, exit ${s.exitCode}, ${s.dataLines} lines on disk / manifest ${String(s.manifestAccepted)} (${String(s.manifestStatus)}), resume hint: ${s.stderrMentionsResume}, re-run ok: ${s.resumedOk}, final == reference: ${s.finalMatchesReference}`);
  }
  log(`\nbad inputs: ${badInputs.rejectedCleanly}/${badInputs.tried} rejected (or accepted) cleanly`);
  for (const failure of badInputs.failures) log(`  ${failure}`);
}

function printTable(reports: ChaosReport[], sigints: SigintReport[], badInputs: BadInputSummary): void {
  const header = ["job", "kills survived", "records", "records lost", "duplicates", "extra requests / in flight at kills (+transit, +over-launch)", "SIGINT stop", "bad inputs rejected cleanly"];
  const rows = reports.map((report, i) => {
    const r = report.requests;
    const s = sigints[i]!;
    return [
      report.job,
      `${report.kills.length}/${report.plannedKills}`,
      String(report.records),
      String(report.lost),
      String(report.duplicates),
      `${r.extra} / ${r.inFlightAtKills} (+${r.lostInTransit}, ${r.overLaunchDifference >= 0 ? "+" : ""}${r.overLaunchDifference})`,
      `${s.stopMs} ms, exit ${s.exitCode}${s.problems.length === 0 ? ", ok" : ", FAIL"}`,
      i === 0 ? `${badInputs.rejectedCleanly}/${badInputs.tried}` : "",
    ];
  });
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, col) => c.padEnd(widths[col]!)).join(" | ")} |`;
  log(`\n${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|\n${rows.map(line).join("\n")}`);
}

// Ctrl-C on the chaos script: exit, which kills the CLI runs it started (see harness.ts).
process.once("SIGINT", () => process.exit(130));
process.once("SIGTERM", () => process.exit(143));

main().catch((error: unknown) => {
  process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
