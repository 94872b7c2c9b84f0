/**
 * `instructforge simulate`: run the OpenAI-compatible SIMULATOR — a TEST DOUBLE that returns canned,
 * deterministic text, never a model — until SIGINT/SIGTERM. The base URL is the first line of
 * stdout so scripts can read it; everything else goes to stderr.
 */
import { Option, type Command } from "commander";
import { UserError } from "../errors.js";
import { PROFILE_NAMES, ProfileName } from "../simulator/profiles.js";
import { startSimulator } from "../simulator/server.js";
import type { SimKnobs } from "../simulator/types.js";
import { action } from "./action.js";

interface SimulateFlags {
  port: string;
  seed: string;
  latencyMs: string;
  fail429: string;
  fail500: string;
  hang: string;
  malformed: string;
  truncate: string;
  retryAfterMs: string;
  batchDelayMs: string;
  batchFailRate: string;
  batchExpireRate: string;
  dieAfter?: string;
  knob: string[];
  profile: string;
  context?: string;
  reasoningModel?: boolean;
}

function parseNumber(flag: string, value: string, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) throw new UserError(`${flag} must be ${expected}, got '${value}'`, 2);
  return n;
}

const isRate = (n: number) => n >= 0 && n <= 1;

function parseKnobs(entries: readonly string[]): SimKnobs {
  const knobs: SimKnobs = {};
  for (const entry of entries) {
    const match = /^([A-Za-z][\w.-]*)=(.+)$/.exec(entry);
    if (!match) throw new UserError(`--knob must look like name=value, got '${entry}'`, 2);
    const [, name, value] = match as unknown as [string, string, string];
    knobs[name] = parseNumber(`--knob ${name}`, value, Number.isFinite, "a number");
  }
  return knobs;
}

async function runSimulator(flags: SimulateFlags): Promise<void> {
  const rate = (flag: string, value: string) => parseNumber(flag, value, isRate, "a rate between 0 and 1");
  const simulator = await startSimulator({
    port: parseNumber("--port", flags.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, "a port number"),
    seed: parseNumber("--seed", flags.seed, Number.isInteger, "an integer"),
    latencyMs: parseNumber("--latency-ms", flags.latencyMs, (n) => n >= 0, "a number of milliseconds ≥ 0"),
    fail429: rate("--fail-429", flags.fail429),
    fail500: rate("--fail-500", flags.fail500),
    hang: rate("--hang", flags.hang),
    malformed: rate("--malformed", flags.malformed),
    truncate: rate("--truncate", flags.truncate),
    retryAfterMs: parseNumber("--retry-after-ms", flags.retryAfterMs, (n) => n >= 0, "a number of milliseconds ≥ 0"),
    batchDelayMs: parseNumber("--batch-delay-ms", flags.batchDelayMs, (n) => n >= 0, "a number of milliseconds ≥ 0"),
    batchFailRate: rate("--batch-fail-rate", flags.batchFailRate),
    batchExpireRate: rate("--batch-expire-rate", flags.batchExpireRate),
    knobs: parseKnobs(flags.knob),
    profile: ProfileName.parse(flags.profile),
    context: flags.context === undefined ? undefined : parseNumber("--context", flags.context, (n) => Number.isInteger(n) && n > 0, "a whole number of tokens > 0"),
    reasoningModel: flags.reasoningModel === true,
    dieAfterRequests: flags.dieAfter === undefined ? undefined : parseNumber("--die-after", flags.dieAfter, (n) => Number.isInteger(n) && n >= 0, "a whole number of requests"),
  }).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(`could not start the simulator: ${message}`);
  });

  process.stdout.write(`${simulator.url}\n`);
  process.stderr.write(
    `instructforge simulate: SIMULATOR listening at ${simulator.url} — a TEST DOUBLE returning canned text, not a model` +
      `${flags.profile === "generic" ? "" : ` (behaving like ${flags.profile}'s server)`}.\n` +
      `  Point a command at it with --base-url ${simulator.url} --api-key any. Stats: GET ${simulator.url.replace(/\/v1$/, "")}/sim/stats. Ctrl-C stops it.\n`,
  );

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  const stats = simulator.stats();
  await simulator.close();
  process.stderr.write(`instructforge simulate: stopped after ${stats.requests} requests (${stats.completed} completed).\n`);
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  program
    .command("simulate")
    .description(
      "start the local OpenAI-compatible SIMULATOR: a test double returning deterministic canned text " +
        "(not a model), with optional fault injection, for offline tries, tests and benches",
    )
    .option("--port <n>", "port on 127.0.0.1 (0 picks a free one)", "8787")
    .option("--seed <n>", "seed: same seed + same request → same reply", "1")
    .option("--latency-ms <ms>", "delay before each successful reply", "0")
    .option("--fail-429 <rate>", "share of attempts answered 429 with Retry-After", "0")
    .option("--fail-500 <rate>", "share of attempts answered 500", "0")
    .option("--hang <rate>", "share of attempts never answered (until the client gives up)", "0")
    .option("--malformed <rate>", "share of requests whose reply text is damaged", "0")
    .option("--truncate <rate>", "share of requests cut at 40–80% with finish_reason \"length\"", "0")
    .option("--retry-after-ms <ms>", "wait that 429 replies ask for", "1000")
    .option("--batch-delay-ms <ms>", "Batch API: time a batch takes from validating to completed", "1000")
    .option("--batch-fail-rate <rate>", "Batch API: share of submitted lines that fail (HTTP 500 in the error file)", "0")
    .option("--batch-expire-rate <rate>", "Batch API: share of submitted lines left unprocessed, their batch ending expired", "0")
    .option("--die-after <n>", "fault: stop serving when a request arrives after n (cuts the replies owed, refuses later connections)")
    .option("--knob <name=value>", "planted-content setting read by the handlers (repeatable)", collect, [])
    .addOption(new Option("--profile <server>", "answer like this server where servers differ (JSON modes, errors, usage, /v1/models, context)").choices(PROFILE_NAMES).default("generic"))
    .option("--context <tokens>", "context per request, enforced and reported the profile's server's way")
    .option("--reasoning-model", "behave as an OpenAI reasoning model: refuse max_tokens and non-default temperature/top_p")
    .action(action((flags: SimulateFlags) => runSimulator(flags)));
}
