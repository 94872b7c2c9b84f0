/**
 * Throughput of the LLM client against the simulator (a test double, in a child process) at 200 ms
 * latency. The bound for concurrency c is c / 0.2 s requests per second; the client should reach
 * ≥ 0.95 of it at c = 64 without burning CPU. Each level runs 20 latency periods after a warm-up.
 * Prints a table; asserts nothing.
 *
 *   npm run build && npm run bench:llm
 */
import { createLlmClient } from "../src/llm/client.js";
import { startSimulatorProcess } from "./simulatorProcess.js";

const LATENCY_MS = 200;
const RUNS = [
  { concurrency: 1, requests: 20 },
  { concurrency: 8, requests: 160 },
  { concurrency: 64, requests: 1280 },
];

interface BenchRow {
  concurrency: number;
  requests: number;
  seconds: number;
  perSecond: number;
  ofBound: number;
  cpuMsPerRequest: number;
}

async function benchOne(baseUrl: string, concurrency: number, requests: number): Promise<BenchRow> {
  const client = createLlmClient({ baseUrl, apiKey: "bench", model: "bench-model", concurrency, timeoutMs: 30_000, maxRetries: 0 });
  // Warm-up rounds so connection setup and JIT compilation don't count.
  const warmUp = Math.max(4 * concurrency, 20);
  await Promise.all(Array.from({ length: warmUp }, (_, i) => client.chat({ messages: [{ role: "user", content: `warm-up ${concurrency} ${i}` }] })));

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: requests }, (_, i) => client.chat({ messages: [{ role: "user", content: `bench c=${concurrency} request ${i}: explain a fact.` }] })),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const perSecond = requests / seconds;
  return {
    concurrency,
    requests,
    seconds,
    perSecond,
    ofBound: perSecond / (concurrency / (LATENCY_MS / 1000)),
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / requests,
  };
}

function printTable(rows: readonly BenchRow[]): void {
  const header = ["concurrency", "requests", "seconds", "req/s", "of bound c/0.2s", "client CPU ms/req"];
  const lines = rows.map((r) => [
    String(r.concurrency),
    String(r.requests),
    r.seconds.toFixed(2),
    r.perSecond.toFixed(1),
    r.ofBound.toFixed(3),
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
    for (const run of RUNS) rows.push(await benchOne(simulator.url, run.concurrency, run.requests));
    printTable(rows);
  } finally {
    simulator.stop();
  }
}

await main();
