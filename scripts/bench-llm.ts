/**
 * Throughput of the LLM client against the simulator (a test double, in a child process) at 200 ms
 * latency. The bound for concurrency c is c / 0.2 s requests per second; the client should reach
 * ≥ 0.95 of it at c = 64 without burning CPU. Each level runs 20 latency periods after a warm-up.
 * Prints a table; asserts nothing.
 *
 *   npm run build && npm run bench:llm
 */
import http from "node:http";
import pLimit from "p-limit";
import { createLlmClient } from "../src/llm/client.js";
import { startSimulatorProcess } from "./simulatorProcess.js";

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

async function main(): Promise<void> {
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

await main();
