/**
 * `instructforge view` in real headless Chromium (Debian's chromium, driven by playwright-core):
 * a pipeline run made against the SIMULATOR (a test double), searched, an evolved record's
 * lineage, a review mark that survives a reload, and hostile record text rendered as text.
 * Skipped when chromium is not installed (CI installs it).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReviews } from "../../src/io/review.js";
import { recordId } from "../../src/schemas.js";
import { startViewServer, type ViewServer } from "../../src/view/server.js";
import { buildDemoRun, HOSTILE, tempDir, writeHostileRun } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))("instructforge view in headless chromium", () => {
  let browser: BrowserContext;
  let demo: string;
  let server: ViewServer;
  const profile = tempDir("if-view-profile-");

  beforeAll(async () => {
    demo = await buildDemoRun();
    server = await startViewServer({ dir: demo, pollMs: 100 });
    // a fresh --user-data-dir, which playwright takes as the persistent context's directory
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page that fails the test on any dialog, page error or console error. */
  async function openPage(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    const origin = new URL(url).origin;
    page.on("request", (request) => {
      if (new URL(request.url()).origin !== origin && !request.url().startsWith("data:")) problems.push(`request off the machine: ${request.url()}`);
    });
    await page.goto(url);
    return { page, problems };
  }

  it("shows the overview, searches, opens an evolved record's lineage, and keeps a review mark across a reload", async () => {
    const { page, problems } = await openPage(server.openUrl);
    await page.locator("#stages").waitFor();
    const stageRows = await page.locator("#stages tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-stage")));
    expect(stageRows).toEqual(["01-generate", "02-evolve", "03-dedup", "04-filter"]);
    const finalCount = server.index.stages[3]!.kept.count;
    expect(await page.locator("#final-count").textContent()).toBe(String(finalCount));

    // search the evolve stage's kept records
    await page.goto(`${server.url}#/records?stage=1&kind=kept`);
    await page.locator("#rows").waitFor();
    const word = "the";
    const expected = server.index.query({ stage: 1, kind: 0, query: word }, 0, 1).total;
    await page.locator('input[name="q"]').fill(word);
    await page.locator(`#row-count[data-total="${expected}"]`).waitFor();
    const shown = await page.locator("#rows tbody tr").count();
    expect(shown).toBe(Math.min(50, expected));

    // open a round-2 evolution: its lineage shows the root and each step's operation
    const secondRound = server.index.query({ stage: 1, kind: 0, round: 2 }, 0, 1).total;
    expect(secondRound).toBeGreaterThan(0);
    await page.goto(`${server.url}#/records?stage=1&kind=kept&round=2`);
    await page.locator(`#row-count[data-total="${secondRound}"]`).waitFor();
    await page.locator("#rows tbody tr a.instruction").first().click();
    await page.locator("#lineage").waitFor();
    const steps = page.locator("#lineage .step");
    expect(await steps.count()).toBeGreaterThanOrEqual(2);
    expect(await steps.first().textContent()).toContain("root · 01-generate");
    expect(await steps.last().textContent()).toContain("round 2");
    expect(await steps.last().getAttribute("data-operation")).not.toBe("");
    expect(await page.locator("#lineage .diff ins").count()).toBeGreaterThan(0);
    expect(await page.locator("#seeds li").count()).toBeGreaterThan(0);

    // mark it bad with the key, with a note; reload; the mark is in review.jsonl and on the page
    const url = page.url();
    await page.locator("#note").fill("made-up facts");
    await page.locator("#note").blur();
    await page.keyboard.press("b");
    await page.locator("#review-state .badge.bad").waitFor();
    await page.screenshot({ path: join(tempDir("if-view-shot-"), "record.png") });
    await page.reload();
    await page.goto(url);
    await page.locator("#review-state .badge.bad").waitFor();
    const marks = [...readReviews(join(demo, "review.jsonl")).values()];
    expect(marks.map((m) => [m.verdict, m.note, m.stage])).toEqual([["bad", "made-up facts", "02-evolve"]]);
    expect(marks[0]!.id).toBe(await page.locator("h2 .muted").textContent().then((t) => t!.trim().replace("id ", "")));

    // the overview counts it; the table filters on it
    await page.goto(`${server.url}#/records?stage=1&kind=kept&review=bad`);
    await page.locator('#row-count[data-total="1"]').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("takes the README screenshot: an evolved record's history (docs/view.png when INSTRUCTFORGE_SCREENSHOT is set)", async () => {
    const [evolved] = server.index.query({ stage: 1, kind: 0, round: 2 }, 0, 1).rows;
    const { page, problems } = await openPage(`${server.openUrl}#/record/1/kept/${evolved!.line}`);
    await page.locator("#lineage .diff").first().waitFor();
    await page.evaluate(`document.querySelector("#seeds").scrollIntoView(); window.scrollBy(0, -110)`);
    const path = process.env.INSTRUCTFORGE_SCREENSHOT ?? join(tempDir("if-view-shot-"), "view.png");
    mkdirSync(dirname(path), { recursive: true });
    await page.screenshot({ path, clip: { x: 0, y: 0, width: 1280, height: 720 } });
    expect(readFileSync(path).subarray(1, 4).toString()).toBe("PNG");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows records appended by a running stage without a reload", async () => {
    const { page, problems } = await openPage(server.openUrl);
    const final = server.index.stages[3]!;
    const before = final.kept.count;
    await page.locator(`#final-count`).filter({ hasText: String(before) }).waitFor();
    const record = { instruction: "Describe the smell of rain on hot asphalt.", input: "", output: "Petrichor: earthy and warm." };
    appendFileSync(join(final.dir, "meta.jsonl"), `${JSON.stringify({ id: recordId(record), stage: "filter", unit: 99 })}\n`);
    appendFileSync(join(final.dir, "data.jsonl"), `${JSON.stringify(record)}\n`);
    await page.locator(`#final-count`).filter({ hasText: String(before + 1) }).waitFor();
    await page.goto(`${server.url}#/records?stage=3&kind=kept&q=petrichor`);
    await page.locator('#row-count[data-total="1"]').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("renders hostile record text as text: no script runs, no element is injected", async () => {
    const hostile = await startViewServer({ dir: writeHostileRun() });
    try {
      const { page, problems } = await openPage(`${hostile.url}#/records?kind=`);
      await page.locator("#rows tbody tr").nth(2).waitFor();
      const text = await page.locator("#rows").textContent();
      expect(text).toContain(HOSTILE[0]!.instruction);
      expect(text).toContain("<img src=x onerror=\"window.__pwned = 2; alert('img')\">");
      await page.locator("#rows tbody tr a.instruction").first().click();
      await page.locator("pre.instruction").waitFor();
      expect(await page.locator("pre.instruction").textContent()).toBe(HOSTILE[0]!.instruction);
      expect(await page.locator("pre.output").textContent()).toBe(HOSTILE[0]!.output);
      await page.goto(`${hostile.url}#/rejected`);
      await page.locator("details[data-reason] summary").first().click();
      await page.locator("details[data-reason] .step").first().waitFor();
      expect(await page.locator("#reason-groups").textContent()).toContain("<script>alert('reason')</script>");
      for (const [route, shown] of [["#/", "#stages"], ["#/similar", "#similar"], ["#/record/0/rejected/0", "pre.evidence"], ["#/record/0/kept/1", "pre.instruction"]] as const) {
        await page.goto(`${hostile.url}${route}`);
        await page.locator(shown).waitFor();
      }
      expect(await page.locator("pre.input").textContent()).toBe(HOSTILE[1]!.input);
      // a string, evaluated in the page: the test's TypeScript has no DOM types
      const injected = await page.evaluate(`({ pwned: window.__pwned, elements: document.querySelectorAll("main script, main img, main iframe, main svg, main b[onmouseover]").length })`);
      expect(injected).toEqual({ pwned: undefined, elements: 0 });
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await hostile.close();
    }
  });
});
