/**
 * Throughput of the LLM client against the simulator (a test double, in a child process) at 200 ms
 * latency. The bound for concurrency c is c / 0.2 s requests per second; the client should reach
 * ≥ 0.95 of it at c = 64 without burning CPU. Each level runs 20 latency periods after a warm-up.
 * Prints a table; asserts nothing.
 *
 * Then several endpoints (`benchEndpoints`): four simulators, each its own process, at 100, 200,
 * 400 and 800 ms with their own concurrency caps. The bound is the sum of cap / latency; the
 * client should reach ≥ 0.95 of it. Last, a generate run over the four in which one simulator is
 * killed (SIGKILL) mid-run: it must complete with the dataset of an uninterrupted run, and its
 * manifest shows the failover per endpoint.
 *
 *   npm run build && npm run bench:llm [-- --only endpoints]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pLimit from "p-limit";
import { z } from "zod";
import { createLlmClient } from "../src/llm/client.js";
import type { EndpointSettings } from "../src/llm/endpoints.js";
import type { EndpointTotals } from "../src/llm/router.js";
import type { LlmSettings } from "../src/llm/types.js";
import { formatTable } from "../src/pipeline/runPipeline.js";
import { parseGenerateFlags } from "../src/stages/selfInstruct/settings.js";
import { runGenerate } from "../src/stages/selfInstruct/stage.js";
import { startSimulatorProcess, type SimulatorProcess } from "./simulatorProcess.js";

const LATENCY_MS = 200;
const RUNS = [
  { concurrency: 1, requests: 20 },
  { concurrency: 8, requests: 160 },
  { concurrency: 64, requests: 1280 },
];

interface BenchRow {
  client: string;
  concurrency: number;
  requests: number;
  seconds: number;
  perSecond: number;
  ofBound: number;
  cpuMsPerRequest: number;
}

/** Sends one chat completion with the given user message and resolves when the reply is read. */
type Sender = (content: string) => Promise<unknown>;

function instructforgeClient(baseUrl: string, concurrency: number): Sender {
  const client = createLlmClient({ baseUrl, apiKey: "bench", model: "bench-model", concurrency, timeoutMs: 30_000, maxRetries: 0 });
  return (content) => client.chat({ messages: [{ role: "user", content }] });
}

/** The baseline: a bare keep-alive `http` POST and JSON.parse, with the same concurrency cap. */
function rawHttpClient(baseUrl: string, concurrency: number): Sender {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const limit = pLimit(concurrency);
  const url = new URL(`${baseUrl}/chat/completions`);
  return (content) =>
    limit(
      () =>
        new Promise((resolve, reject) => {
          const body = JSON.stringify({ model: "bench-model", messages: [{ role: "user", content }] });
          const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: "Bearer bench" };
          const request = http.request(url, { method: "POST", agent, headers }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
            response.on("error", reject);
          });
          request.on("error", reject);
          request.end(body);
        }),
    );
}

async function benchOne(name: string, send: Sender, concurrency: number, requests: number): Promise<BenchRow> {
  // Warm-up rounds so connection setup and JIT compilation don't count.
  const warmUp = Math.max(4 * concurrency, 20);
  await Promise.all(Array.from({ length: warmUp }, (_, i) => send(`warm-up ${name} ${concurrency} ${i}`)));

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: requests }, (_, i) => send(`bench ${name} c=${concurrency} request ${i}: explain a fact.`)));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const perSecond = requests / seconds;
  return {
    client: name,
    concurrency,
    requests,
    seconds,
    perSecond,
    ofBound: perSecond / (concurrency / (LATENCY_MS / 1000)),
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / requests,
  };
}

function printTable(rows: readonly BenchRow[], baseline: ReadonlyMap<number, BenchRow>): void {
  const header = ["client", "concurrency", "requests", "seconds", "req/s", "of bound c/0.2s", "vs raw http", "client CPU ms/req"];
  const lines = rows.map((r) => [
    r.client,
    String(r.concurrency),
    String(r.requests),
    r.seconds.toFixed(2),
    r.perSecond.toFixed(1),
    r.ofBound.toFixed(3),
    (r.perSecond / baseline.get(r.concurrency)!.perSecond).toFixed(3),
    r.cpuMsPerRequest.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const format = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join("  ");
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

async function benchOneEndpoint(): Promise<void> {
  const simulator = await startSimulatorProcess(LATENCY_MS);
  console.log(`bench-llm: client → simulator (test double, child process) at ${simulator.url}, latency ${LATENCY_MS} ms, cache off`);
  try {
    const rows: BenchRow[] = [];
    const baseline = new Map<number, BenchRow>();
    for (const run of RUNS) {
      const raw = await benchOne("raw http", rawHttpClient(simulator.url, run.concurrency), run.concurrency, run.requests);
      baseline.set(run.concurrency, raw);
      rows.push(raw, await benchOne("instructforge", instructforgeClient(simulator.url, run.concurrency), run.concurrency, run.requests));
    }
    printTable(rows, baseline);
  } finally {
    simulator.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Several endpoints

const ENDPOINTS = [
  { latencyMs: 100, concurrency: 16 },
  { latencyMs: 200, concurrency: 16 },
  { latencyMs: 400, concurrency: 32 },
  { latencyMs: 800, concurrency: 32 },
] as const;
/**
 * Seconds of requests at the bound: 37 periods of the slowest endpoint. Filling and draining the
 * four pipelines costs about half a second whatever the length, which the whole-run figure carries.
 */
const MULTI_SECONDS = 30;
/** The endpoint killed in the failover run (the 200 ms one). */
const KILLED = 1;
const FAILOVER_RECORDS = "12000";

const boundPerSecond = ENDPOINTS.reduce((sum, e) => sum + e.concurrency / (e.latencyMs / 1000), 0);

function multiSettings(sims: readonly SimulatorProcess[]): LlmSettings {
  const endpoints: EndpointSettings[] = sims.map((sim, i) => ({ baseUrl: sim.url, apiKey: "bench", model: "bench-model", concurrency: ENDPOINTS[i]!.concurrency }));
  const concurrency = endpoints.reduce((sum, e) => sum + e.concurrency, 0);
  return { baseUrl: endpoints[0]!.baseUrl, apiKey: "bench", model: "bench-model", concurrency, timeoutMs: 30_000, maxRetries: 2, endpoints };
}

/**
 * The floor this machine allows for the same load: a bare keep-alive `http` client per endpoint,
 * each given its share of the requests (cap / latency of the total) up front — a static split
 * that needs no routing at all.
 */
async function rawHttpOverEndpoints(sims: readonly SimulatorProcess[], requests: number): Promise<{ seconds: number; steady: number }> {
  const senders = sims.map((sim, i) => rawHttpClient(sim.url, ENDPOINTS[i]!.concurrency));
  await Promise.all(senders.flatMap((send, i) => Array.from({ length: ENDPOINTS[i]!.concurrency * 2 }, (_, k) => send(`warm-up raw ${i} ${k}`))));
  const finishedAt: number[] = [];
  const started = performance.now();
  await Promise.all(
    senders.flatMap((send, i) => {
      const share = Math.round((requests * (ENDPOINTS[i]!.concurrency / (ENDPOINTS[i]!.latencyMs / 1000))) / boundPerSecond);
      return Array.from({ length: share }, (_, k) => send(`bench raw ${i} request ${k}: explain a fact.`).then(() => finishedAt.push((performance.now() - started) / 1000)));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { seconds, steady: steadyRate(finishedAt, seconds) };
}

/** Steady state: leave out the slowest latency at each end (filling and draining the pipelines). */
const EDGE_SECONDS = Math.max(...ENDPOINTS.map((e) => e.latencyMs)) / 1000;
function steadyRate(finishedAt: readonly number[], seconds: number): number {
  return finishedAt.filter((t) => t >= EDGE_SECONDS && t <= seconds - EDGE_SECONDS).length / (seconds - 2 * EDGE_SECONDS);
}

async function benchThroughput(sims: readonly SimulatorProcess[]): Promise<void> {
  const settings = multiSettings(sims);
  const client = createLlmClient(settings);
  const send = (content: string) => client.chat({ messages: [{ role: "user", content }] });
  await Promise.all(Array.from({ length: settings.concurrency * 2 }, (_, i) => send(`warm-up ${i}`)));
  const before = client.totals().endpoints!;

  const requests = Math.round(boundPerSecond * MULTI_SECONDS);
  const finishedAt: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: requests }, (_, i) => send(`bench endpoints request ${i}: explain a fact.`).then(() => finishedAt.push((performance.now() - started) / 1000))));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);

  const steady = steadyRate(finishedAt, seconds);
  const after = client.totals().endpoints!;
  const stats = await Promise.all(sims.map((sim) => sim.stats()));
  const rows = ENDPOINTS.map((e, i) => {
    const sent = after[i]!.requests - before[i]!.requests;
    const bound = e.concurrency / (e.latencyMs / 1000);
    return [
      `${e.latencyMs} ms`,
      String(e.concurrency),
      bound.toFixed(0),
      String(sent),
      (sent / seconds).toFixed(1),
      (sent / seconds / bound).toFixed(3),
      `${stats[i]!.maxInFlight} / ${e.concurrency}`,
    ];
  });
  rows.push(["all", String(settings.concurrency), boundPerSecond.toFixed(0), String(requests), (requests / seconds).toFixed(1), (requests / seconds / boundPerSecond).toFixed(3), ""]);
  console.log(`\nbench-llm: ${requests} requests over four simulators (test doubles, one process each) in ${seconds.toFixed(2)} s; bound = Σ cap / latency = ${boundPerSecond.toFixed(0)} req/s`);
  console.log(formatTable(["endpoint", "cap", "bound req/s", "requests", "req/s", "of its bound", "peak in flight / cap"], rows));
  const raw = await rawHttpOverEndpoints(sims, requests);
  const figures = (label: string, wall: number, steadyPerSecond: number) =>
    `${label}: whole run ${(requests / wall / boundPerSecond).toFixed(3)} of the bound, steady state (first and last ${EDGE_SECONDS} s left out) ${(steadyPerSecond / boundPerSecond).toFixed(3)}`;
  console.log(`${figures("instructforge", seconds, steady)}; client CPU ${((cpu.user + cpu.system) / 1000 / requests).toFixed(2)} ms/request`);
  console.log(`${figures("raw http, static split", raw.seconds, raw.steady)}`);
  console.log(`instructforge ÷ raw http: whole run ${(raw.seconds / seconds).toFixed(3)}, steady state ${(steady / raw.steady).toFixed(3)}`);
}

const StageManifest = z.object({
  status: z.string(),
  llm: z.object({ failures: z.number(), failovers: z.number(), retries: z.number(), httpRequests: z.number(), endpoints: z.array(z.custom<EndpointTotals>()) }),
});

async function generateOver(sims: readonly SimulatorProcess[], out: string): Promise<number> {
  const started = performance.now();
  await runGenerate(parseGenerateFlags({ num: FAILOVER_RECORDS, out }), { ...multiSettings(sims), model: "sim" });
  return (performance.now() - started) / 1000;
}

async function benchFailover(sims: readonly SimulatorProcess[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "if-bench-endpoints-"));
  try {
    const reference = join(dir, "reference");
    const referenceSeconds = await generateOver(sims, reference);
    const killAt = referenceSeconds * 0.4;
    const victim = sims[KILLED]!;
    const timer = setTimeout(() => victim.child.kill("SIGKILL"), killAt * 1000);
    const out = join(dir, "killed");
    const seconds = await generateOver(sims, out);
    clearTimeout(timer);

    const read = (run: string) => readFileSync(join(run, "data.jsonl"), "utf8");
    const data = read(out);
    const manifest = StageManifest.parse(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")));
    const rows = manifest.llm.endpoints.map((e, i) => [
      `${ENDPOINTS[i]!.latencyMs} ms${i === KILLED ? " (killed)" : ""}`,
      String(e.requests),
      String(e.replies),
      String(e.errors),
      Object.entries(e.errorsByCause).map(([cause, n]) => `${cause} ${n}`).join(", ") || "-",
      String(e.breakerOpenings),
      e.breaker,
    ]);
    console.log(`\nbench-llm: generate --num ${FAILOVER_RECORDS} over the four; the ${ENDPOINTS[KILLED]!.latencyMs} ms simulator SIGKILLed at ${killAt.toFixed(1)} s (uninterrupted run: ${referenceSeconds.toFixed(1)} s; this run: ${seconds.toFixed(1)} s)`);
    console.log(formatTable(["endpoint", "requests", "replies", "errors", "errors by cause", "breaker openings", "breaker at end"], rows));
    console.log(
      `manifest: status ${manifest.status}, ${data.trim().split("\n").length} records, failures ${manifest.llm.failures}, failovers ${manifest.llm.failovers}, retries ${manifest.llm.retries}; ` +
        `dataset identical to the uninterrupted run: ${data === read(reference) ? "yes" : "NO"}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchEndpoints(): Promise<void> {
  const sims = await Promise.all(ENDPOINTS.map((e) => startSimulatorProcess(e.latencyMs)));
  try {
    await benchThroughput(sims);
    await benchFailover(sims);
  } finally {
    for (const sim of sims) sim.stop();
  }
}

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
if (only !== "endpoints") await benchOneEndpoint();
if (only === undefined || only === "endpoints") await benchEndpoints();
