/**
 * The report in a real browser: Debian's chromium, headless, no network. Skipped when chromium
 * is not installed (CI installs it; a user's clone need not).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { renderReport } from "../../src/report/index.js";
import { tempDir, writePipeline } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";

function chromium(workDir: string, ...args: string[]): { stdout: string; stderr: string } {
  const result = spawnSync(
    CHROMIUM,
    ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0", `--user-data-dir=${join(workDir, "profile")}`, ...args],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr };
}

/** chromium prints page console messages to stderr as `INFO:CONSOLE:line] "message"` with logging on;
 * the report has no scripts, so any console line at all is a failure. */
function consoleErrors(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /CONSOLE[:(]|Uncaught|Failed to load resource/.test(line));
}

describe.skipIf(!existsSync(CHROMIUM))("report in headless chromium", () => {
  const work = tempDir("if-report-browser-");
  const page = join(work, "report.html");
  writeFileSync(page, renderReport(writePipeline({ simulator: true })));
  const url = pathToFileURL(page).href;

  it("renders the charts with the expected counts and no console errors", () => {
    const { stdout: dom, stderr } = chromium(work, "--dump-dom", url);
    expect(consoleErrors(stderr)).toEqual([]);
    const stages = [...dom.matchAll(/<g class="bar" data-label="([^"]+)" data-count="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(stages.slice(0, 3)).toEqual([["01-generate", 10], ["02-evolve", 8], ["03-filter", 7]]);
    const verbArcs = [...dom.matchAll(/<g class="arc verb" data-label="([^"]+)" data-count="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(verbArcs[0]).toEqual(["write", 3]);
    expect(dom).toMatch(/<path d="M[^"]+"/);
    expect(dom).toContain('id="simulated"');
    expect(dom).toMatch(/<svg[^>]+id="chart-length-en-instruction"/);
  });

  it("takes a screenshot", () => {
    const png = join(work, "report.png");
    chromium(work, `--screenshot=${png}`, "--window-size=1200,2400", "--hide-scrollbars", url);
    expect(statSync(png).size).toBeGreaterThan(20_000);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    process.stderr.write(`report screenshot: ${png}\n`);
  });
});
