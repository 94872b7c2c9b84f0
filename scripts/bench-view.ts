/**
 * Bench for `instructforge view`: time to open a 52K-record and a 1M-record run (index built,
 * first overview and first page served over HTTP) and to answer searches. The runs are generated
 * deterministically from the benches' corpus (scripts/corpus.ts) into BENCH_VIEW_DIR (default:
 * the system temp dir) and reused when already there.
 *
 *   npm run build && npm run bench:view            (52K and 1M)
 *   npm run bench:view -- 52000                    (one size)
 *
 * Targets: 52K opens in < 2 s and a search answers in < 100 ms; 1M opens and searches.
 */
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync, type WriteStream } from "node:fs";
import { request } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { recordId } from "../src/schemas.js";
import { startViewServer } from "../src/view/server.js";
import { instructions } from "./corpus.js";

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
const ROOT = process.env.BENCH_VIEW_DIR ?? join(tmpdir(), "instructforge-bench-view");
const REPEATS = 7;

/** Like generate's output: records, meta (examples; similarity lists up to 10K, as generate does), a rejection per 4 records. */
async function makeRun(count: number): Promise<string> {
  const dir = join(ROOT, `run-${count}`);
  if (existsSync(join(dir, "complete"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const data = createWriteStream(join(dir, "data.jsonl"));
  const meta = createWriteStream(join(dir, "meta.jsonl"));
  const rejected = createWriteStream(join(dir, "rejected.jsonl"));
  const texts = instructions(count * 3 + count / 4, 20_261_201);
  const next = (): string => texts.next().value as string;
  const previous: string[] = [];
  for (let i = 0; i < count; i++) {
    const instruction = next();
    const input = i % 5 < 2 ? next() : "";
    const output = `${next()} ${next()}`;
    const record = { instruction, input, output };
    const metaLine: Record<string, unknown> = { id: recordId(record), stage: "generate", unit: Math.floor(i / 20), lang: "en", finishReason: "stop", examples: [`seed_task_${i % 175}`, `seed_task_${(i * 7) % 175}`] };
    if (count <= 10_000 && previous.length > 0) metaLine.most_similar_instructions = { [previous[i % previous.length]!]: 0.3 + (i % 40) / 100 };
    await write(meta, metaLine);
    await write(data, record);
    if (i % 4 === 3) await write(rejected, { stage: "generate", reason: i % 8 === 3 ? "too_similar" : "blacklisted_word", record: { instruction: next(), input: "", output: "" }, detail: { rougeL: 0.8, similarTo: instruction }, unit: Math.floor(i / 20) });
    if (previous.length < 1000) previous.push(instruction);
  }
  await Promise.all([data, meta, rejected].map((stream) => new Promise((resolve) => stream.end(resolve))));
  writeFileSync(join(dir, "progress.jsonl"), Array.from({ length: Math.ceil(count / 20) }, (_, unit) => `{"unit":${unit}}\n`).join(""));
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stage: "generate", status: "complete", counts: { accepted: count } }));
  writeFileSync(join(dir, "complete"), "");
  return dir;
}

function write(stream: WriteStream, value: unknown): Promise<void> | void {
  if (!stream.write(`${JSON.stringify(value)}\n`)) return new Promise((resolve) => stream.once("drain", () => resolve()));
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode} ${body}`))));
    })
      .on("error", reject)
      .end();
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function bench(count: number): Promise<void> {
  const made = performance.now();
  const dir = await makeRun(count);
  process.stdout.write(`\n${count.toLocaleString("en-US")} records (${dir}; ready in ${((performance.now() - made) / 1000).toFixed(1)} s)\n`);
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const server = await startViewServer({ dir, pollMs: 60_000 });
  await get(`${server.url}api/overview`);
  const firstPage = JSON.parse(await get(`${server.url}api/rows?limit=50`)) as { total: number; rows: Array<{ instruction: string }> };
  const openMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rss = process.memoryUsage().rss;
  process.stdout.write(`  open: ${(openMs / 1000).toFixed(2)} s to index ${firstPage.total.toLocaleString("en-US")} rows and serve the overview and first page (index ${(server.indexMs / 1000).toFixed(2)} s; ${cpuSeconds.toFixed(2)} s CPU; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores); RSS ${(rss / 2 ** 20).toFixed(0)} MiB (+${((rss - rssBefore) / 2 ** 20).toFixed(0)} MiB)\n`);
  const words = firstPage.rows[1]!.instruction.toLowerCase().replace(/[^a-z ]/g, "").split(" ").filter(Boolean);
  const rare = [...words].sort((a, b) => b.length - a.length)[0]!;
  const queries = [rare, words[0]!, `${words[0]} ${words[1]}`, "lo", "lo ka"];
  for (const q of queries) {
    const round: number[] = [];
    const server_: number[] = [];
    let total = 0;
    for (let i = 0; i < REPEATS; i++) {
      const t = performance.now();
      const reply = JSON.parse(await get(`${server.url}api/rows?stage=0&kind=kept&q=${encodeURIComponent(q)}&limit=50`)) as { total: number; tookMs: number };
      round.push(performance.now() - t);
      server_.push(reply.tookMs);
      total = reply.total;
    }
    process.stdout.write(`  search ${JSON.stringify(q).padEnd(24)} ${total.toLocaleString("en-US").padStart(9)} matches: ${median(round).toFixed(1)} ms per request (median of ${REPEATS}; query itself ${median(server_).toFixed(1)} ms)\n`);
  }
  const filtered: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    await get(`${server.url}api/rows?stage=0&kind=rejected&reason=too_similar&offset=1000&limit=50`);
    filtered.push(performance.now() - t);
  }
  process.stdout.write(`  filter rejected by reason, page at offset 1000: ${median(filtered).toFixed(1)} ms per request\n`);
  await server.close();
}

for (const count of SIZES.length > 0 ? SIZES : [52_000, 1_000_000]) await bench(count);
