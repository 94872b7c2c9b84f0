/**
 * The bad-input corpus as CLI cases: every file of test/fixtures/bad/ fed to the commands that
 * read it, plus flag, environment and output-path mistakes. Each case says what a user must see:
 * one clear message on stderr naming the file (and line) and what to fix, a non-zero exit, no
 * stack trace, and no half-written output. BOM and CRLF inputs must be accepted.
 *
 * Vitest-free so `scripts/chaos.ts` can run the corpus too (its "bad inputs" column).
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BAD_FIXTURES_DIR,
  lineCount,
  looksLikeStackTrace,
  runCli,
  SEEDS_PATH,
  unusedLocalUrl,
  walkFiles,
  withSimulator,
  type CliResult,
} from "./harness.js";

/** Where a case runs: its own scratch directory and the endpoints it may use. */
export interface CaseContext {
  dir: string;
  /** A running simulator (for inputs that must be accepted). */
  simUrl: string;
  /** A port on 127.0.0.1 with nothing listening. */
  deadUrl: string;
}

export interface BadInputCase {
  name: string;
  args(ctx: CaseContext): string[];
  env?: Record<string, string>;
  /** Build inputs in ctx.dir before the run (e.g. the 50 MB line). */
  prepare?(ctx: CaseContext): void;
  /** undefined: the input must be accepted (exit 0). */
  expectError?: {
    /** Every pattern must appear in the message. */
    message: Array<string | RegExp>;
    exitCode?: number;
    /** Lines the message may take (a listed second problem, a usage hint); default 1. */
    maxLines?: number;
  };
  /** Files that must not exist afterwards (an output that must not be half-written). */
  noFiles?(ctx: CaseContext): string[];
  /** Run directories that must hold no data.jsonl lines afterwards. */
  noData?(ctx: CaseContext): string[];
}

const fixture = (name: string): string => join(BAD_FIXTURES_DIR, name);

/** What each bad fixture must be rejected with: `file:line: problem` (line omitted for whole-file problems). */
export const FIXTURE_MESSAGES: Record<string, string[]> = {
  "array-line.jsonl": ["array-line.jsonl:2:", "for JSONL write one object per line"],
  "empty-instruction.jsonl": ["empty-instruction.jsonl:1:", "instruction must not be empty"],
  "empty.jsonl": ["empty.jsonl:", "the file is empty"],
  "gbk.jsonl": ["gbk.jsonl:2:", "not valid UTF-8", "iconv"],
  "latin1.jsonl": ["latin1.jsonl:2:", "not valid UTF-8"],
  "malformed-array.json": ["malformed-array.json:3:", "not valid JSON"],
  "malformed-line.jsonl": ["malformed-line.jsonl:3:", "not valid JSON"],
  "missing-instruction.jsonl": ["missing-instruction.jsonl:3:", "'instruction' is missing"],
  "nested-array.json": ["nested-array.json:1:", "expected a JSON object, found an array"],
  "nul-byte.jsonl": ["nul-byte.jsonl:2:", "not valid JSON"],
  "number-file.json": ["number-file.json:1:", "expected a JSON object"],
  "string-line.jsonl": ["string-line.jsonl:2:", "expected a JSON object, found string"],
  "trailing-garbage.json": ["trailing-garbage.json:4:", "after the closing ']'"],
  "truncated-array.json": ["truncated-array.json:", "not closed", "truncated"],
  "whitespace-only.jsonl": ["whitespace-only.jsonl:", "the file is empty"],
  "wrong-type-input.jsonl": ["wrong-type-input.jsonl:1:", "'input'", "expected string"],
  "wrong-type-instruction.jsonl": ["wrong-type-instruction.jsonl:2:", "'instruction'", "expected string"],
  "wrong-type-output.jsonl": ["wrong-type-output.jsonl:1:", "'output'", "expected string"],
  "seeds-classification-string.jsonl": ["seeds-classification-string.jsonl:2:", "is_classification", "boolean"],
  "seeds-duplicate-id.jsonl": ["seeds-duplicate-id.jsonl:3:", "duplicate seed id 't0'", "line 1"],
  "seeds-empty-instances.jsonl": ["seeds-empty-instances.jsonl:1:", "at least one instance"],
  "seeds-instance-missing-output.jsonl": ["seeds-instance-missing-output.jsonl:1:", "instances.0.output' is missing"],
  "seeds-malformed.jsonl": ["seeds-malformed.jsonl:2:", "not valid JSON"],
  "seeds-missing-instances.jsonl": ["seeds-missing-instances.jsonl:2:", "'instances' is missing"],
  "seeds-missing-instruction.jsonl": ["seeds-missing-instruction.jsonl:2:", "'instruction' is missing"],
  "config-api-key.yaml": ["config-api-key.yaml:3:", "apiKey", "OPENAI_API_KEY"],
  "config-bad-yaml.yaml": ["config-bad-yaml.yaml:", "not valid YAML"],
  "config-empty.yaml": ["config-empty.yaml:", "stages"],
  "config-negative-count.yaml": ["config-negative-count.yaml:6:", "num", "positive integer"],
  "config-no-stages.yaml": ["config-no-stages.yaml:3:", "at least one stage"],
  "config-unknown-key.yaml": ["config-unknown-key.yaml:6:", "nmu", 'did you mean "num"'],
  "config-unknown-stage.yaml": ["config-unknown-stage.yaml:7:", "paraphrase", "unknown stage"],
  "config-wrong-type.yaml": ["config-wrong-type.yaml:8:", "rounds", "positive integer"],
};

/** Fixtures that must be accepted: a UTF-8 BOM and CRLF line endings are normal in the wild. */
export const ACCEPTED_FIXTURES = ["bom.jsonl", "crlf.jsonl", "bom-crlf-seeds.jsonl"];

/** Extra lines a message may take: config-unknown-key lists the consequence (num missing) too. */
const MULTI_LINE_FIXTURES: Record<string, number> = { "config-unknown-key.yaml": 2 };

export type Reader = "dedup" | "export" | "evolve" | "translate" | "answer" | "filter" | "generate" | "run";

/** The commands that read a record file (`--in`), and the flags each needs besides it. */
function readerArgs(reader: Reader, input: string, ctx: CaseContext, endpoint: string): string[] {
  const llm = ["--base-url", endpoint, "--api-key", "x", "--model", "sim", "--max-retries", "0", "--timeout", "5"];
  switch (reader) {
    case "dedup":
      return ["dedup", "--in", input, "--out", join(ctx.dir, "out.jsonl")];
    case "export":
      return ["export", "--in", input, "--format", "sharegpt", "--out", join(ctx.dir, "out.jsonl")];
    case "evolve":
      return ["evolve", "--in", input, "--rounds", "1", "--out", join(ctx.dir, "run"), ...llm];
    case "translate":
      return ["translate", "--in", input, "--to", "zh", "--out", join(ctx.dir, "run"), ...llm];
    case "answer":
      return ["answer", "--in", input, "--out", join(ctx.dir, "run"), ...llm];
    case "filter":
      return ["filter", "--in", input, "--out", join(ctx.dir, "run")];
    case "generate":
      return ["generate", "--seeds", input, "--num", "3", "--out", join(ctx.dir, "run"), ...llm];
    case "run":
      return ["run", "--config", input, "--out", join(ctx.dir, "run"), ...llm];
  }
}

const fileOutputs = (ctx: CaseContext): string[] => [join(ctx.dir, "out.jsonl")];
const runOutputs = (ctx: CaseContext): string[] => [join(ctx.dir, "run")];

const RECORD_READERS: readonly Reader[] = ["dedup", "export", "evolve", "translate", "answer", "filter"];

function readerOf(file: string): Reader[] {
  if (file.startsWith("config-")) return ["run"];
  if (file.startsWith("seeds-")) return ["generate", "dedup"];
  return [...RECORD_READERS];
}

function fixtureCase(file: string, reader: Reader): BadInputCase {
  const accepted = ACCEPTED_FIXTURES.includes(file);
  return {
    name: `${reader} ${reader === "run" ? "--config" : reader === "generate" ? "--seeds" : "--in"} bad/${file}`,
    args: (ctx) => readerArgs(reader, fixture(file), ctx, accepted ? ctx.simUrl : ctx.deadUrl),
    expectError: accepted
      ? undefined
      : { message: FIXTURE_MESSAGES[file] ?? [`${file}:`], maxLines: MULTI_LINE_FIXTURES[file] ?? 1, exitCode: reader === "run" ? 2 : 1 },
    noFiles: accepted ? undefined : fileOutputs,
    noData: accepted ? undefined : runOutputs,
  };
}

/**
 * Every fixture with every command that reads it. `full: false` (the CI form) gives each record
 * fixture to one reader in rotation, so every reader still sees several files; seed files go to
 * generate, configs to run.
 */
export function fixtureCases(options: { full: boolean; readers: readonly Reader[] }): BadInputCase[] {
  const available = new Set(options.readers);
  const files = readdirSync(BAD_FIXTURES_DIR).filter((f) => statSync(fixture(f)).isFile()).sort();
  const rotation = RECORD_READERS.filter((r) => available.has(r));
  const cases: BadInputCase[] = [];
  files.forEach((file, index) => {
    let readers = readerOf(file).filter((r) => available.has(r));
    if (file === "bom-crlf-seeds.jsonl") readers = ["generate"];
    else if (!options.full) readers = readers.length > 2 ? [rotation[index % rotation.length]!] : readers.slice(0, 1);
    for (const reader of readers) cases.push(fixtureCase(file, reader));
  });
  return cases;
}

/** Stands for the dead endpoint's URL in expected messages (filled in per run). */
const ctx_dead_marker = "__DEAD_URL__";

const llmFlags = (url: string, extra: string[] = []): string[] => ["--base-url", url, "--api-key", "x", "--model", "sim", ...extra];
const generateInto = (ctx: CaseContext, extra: string[]): string[] => ["generate", "--seeds", SEEDS_PATH, "--out", join(ctx.dir, "run"), ...extra];

/** Mistakes in flags, environment and output paths. */
export function cliCases(): BadInputCase[] {
  const error = (message: Array<string | RegExp>, exitCode?: number, maxLines = 1) => ({ message, exitCode, maxLines });
  return [
    {
      name: "dedup --in a 50 MB single broken line",
      prepare: (ctx) => writeFileSync(join(ctx.dir, "huge.jsonl"), `{"instruction": "${"a".repeat(50 * 1024 * 1024)}`),
      args: (ctx) => ["dedup", "--in", join(ctx.dir, "huge.jsonl"), "--out", join(ctx.dir, "out.jsonl")],
      expectError: error(["huge.jsonl:1:", "not valid JSON"]),
      noFiles: fileOutputs,
    },
    {
      name: "generate --num -5",
      args: (ctx) => generateInto(ctx, ["--num", "-5", ...llmFlags(ctx.deadUrl)]),
      expectError: error(["--num", "at least 1"], 2),
      noData: runOutputs,
    },
    {
      name: "generate --num 0",
      args: (ctx) => generateInto(ctx, ["--num", "0", ...llmFlags(ctx.deadUrl)]),
      expectError: error(["--num", "at least 1"], 2),
      noData: runOutputs,
    },
    {
      name: "evolve --rounds 0",
      args: (ctx) => ["evolve", "--in", SEEDS_PATH, "--rounds", "0", "--out", join(ctx.dir, "run"), ...llmFlags(ctx.deadUrl)],
      expectError: error(["--rounds", "at least 1"], 2),
      noData: runOutputs,
    },
    {
      name: "translate --to fr",
      args: (ctx) => ["translate", "--in", SEEDS_PATH, "--to", "fr", "--out", join(ctx.dir, "run"), ...llmFlags(ctx.deadUrl)],
      expectError: error(["--to fr", "zh"], 2),
      noData: runOutputs,
    },
    {
      name: "generate --bogus (unknown flag)",
      args: (ctx) => generateInto(ctx, ["--num", "3", "--bogus", ...llmFlags(ctx.deadUrl)]),
      expectError: error(["unknown option '--bogus'", "--help"], undefined, 2),
      noData: runOutputs,
    },
    {
      name: "generate without an API key",
      args: (ctx) => generateInto(ctx, ["--num", "3", "--base-url", ctx.deadUrl]),
      expectError: error(["no API key", "OPENAI_API_KEY"], 2),
      noData: runOutputs,
    },
    {
      name: "generate without a base URL",
      args: (ctx) => generateInto(ctx, ["--num", "3", "--api-key", "x"]),
      expectError: error(["no endpoint", "--base-url", "OPENAI_BASE_URL"], 2),
      noData: runOutputs,
    },
    {
      name: "generate --out pointing at a file",
      prepare: (ctx) => writeFileSync(join(ctx.dir, "a-file"), "not a directory\n"),
      args: (ctx) => ["generate", "--seeds", SEEDS_PATH, "--num", "3", "--out", join(ctx.dir, "a-file"), ...llmFlags(ctx.deadUrl)],
      expectError: error(["a-file", "is a file", "directory"]),
    },
    {
      name: "generate --out under a file (ENOTDIR)",
      prepare: (ctx) => writeFileSync(join(ctx.dir, "a-file"), "not a directory\n"),
      args: (ctx) => ["generate", "--seeds", SEEDS_PATH, "--num", "3", "--out", join(ctx.dir, "a-file", "run"), ...llmFlags(ctx.deadUrl)],
      expectError: error(["cannot write", "a-file", "not a directory"]),
    },
    {
      name: "export --out under a file (ENOTDIR)",
      prepare: (ctx) => writeFileSync(join(ctx.dir, "a-file"), "not a directory\n"),
      args: (ctx) => ["export", "--in", SEEDS_PATH, "--format", "sharegpt", "--out", join(ctx.dir, "a-file", "out.jsonl")],
      expectError: error(["cannot write", "a-file/out.jsonl", "not a directory"]),
    },
    {
      name: "dedup --out under /proc (unwritable)",
      args: () => ["dedup", "--in", SEEDS_PATH, "--out", "/proc/instructforge-nope/out.jsonl"],
      expectError: error(["cannot write /proc/instructforge-nope/out.jsonl"]),
    },
    {
      // Not /proc/self/…: Node's recursive mkdir never returns there (a Node quirk, see the report).
      name: "evolve --out under a file (ENOTDIR)",
      prepare: (ctx) => writeFileSync(join(ctx.dir, "a-file"), "not a directory\n"),
      args: (ctx) => ["evolve", "--in", SEEDS_PATH, "--rounds", "1", "--out", join(ctx.dir, "a-file", "run"), ...llmFlags(ctx.deadUrl)],
      expectError: error(["cannot write", "a-file", "not a directory"]),
    },
    {
      name: "generate against an unreachable server (--max-retries 1)",
      args: (ctx) => generateInto(ctx, ["--num", "3", ...llmFlags(ctx.deadUrl, ["--max-retries", "1"])]),
      expectError: error(["could not reach", ctx_dead_marker, "connection refused"]),
      noData: runOutputs,
    },
    {
      name: "dedup --in a missing file",
      args: (ctx) => ["dedup", "--in", join(ctx.dir, "missing.jsonl"), "--out", join(ctx.dir, "out.jsonl")],
      expectError: error(["missing.jsonl", "no such file"]),
      noFiles: fileOutputs,
    },
    {
      name: "dedup --in a directory",
      args: (ctx) => ["dedup", "--in", ctx.dir, "--out", join(ctx.dir, "out.jsonl")],
      expectError: error(["is a directory"]),
      noFiles: fileOutputs,
    },
    {
      name: "run --config a missing file",
      args: (ctx) => ["run", "--config", join(ctx.dir, "missing.yaml"), ...llmFlags(ctx.deadUrl)],
      expectError: error(["missing.yaml", "no such file"]),
    },
  ];
}

export interface CaseOutcome {
  name: string;
  result: CliResult;
  /** Empty when the case behaved as required. */
  failures: string[];
}

/** Message lines: stderr minus progress redraws ("[stage] …") and blank lines. */
export function messageLines(stderr: string): string[] {
  return stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("["));
}

export async function runCase(testCase: BadInputCase, ctx: CaseContext): Promise<CaseOutcome> {
  mkdirSync(ctx.dir, { recursive: true });
  testCase.prepare?.(ctx);
  const result = await runCli(testCase.args(ctx), { env: testCase.env, timeoutMs: 60_000 });
  return { name: testCase.name, result, failures: judge(testCase, ctx, result) };
}

function judge(testCase: BadInputCase, ctx: CaseContext, result: CliResult): string[] {
  const failures: string[] = [];
  const output = `${result.stdout}\n${result.stderr}`;
  if (looksLikeStackTrace(output)) failures.push(`prints a stack trace: ${result.stderr.slice(0, 400)}`);
  const expected = testCase.expectError;
  if (!expected) {
    if (result.code !== 0) failures.push(`must be accepted, exited ${result.code ?? result.signal}: ${result.stderr.trim().slice(-300)}`);
    return failures;
  }
  if (result.code === 0 || result.code === null) failures.push(`exited ${result.code ?? result.signal}, expected a non-zero exit`);
  if (expected.exitCode !== undefined && result.code !== expected.exitCode) failures.push(`exit code ${result.code}, expected ${expected.exitCode}`);
  const lines = messageLines(result.stderr);
  const message = lines.join("\n");
  if (lines.length === 0) failures.push("no message on stderr");
  if (lines.length > (expected.maxLines ?? 1)) failures.push(`message takes ${lines.length} lines, expected ${expected.maxLines ?? 1}: ${message.slice(0, 400)}`);
  for (const pattern of expected.message) {
    const wanted = pattern === ctx_dead_marker ? ctx.deadUrl : pattern;
    const found = typeof wanted === "string" ? message.includes(wanted) : wanted.test(message);
    if (!found) failures.push(`message lacks ${String(wanted)}: ${JSON.stringify(message.slice(0, 400))}`);
  }
  for (const file of testCase.noFiles?.(ctx) ?? []) if (existsSync(file)) failures.push(`left an output file behind: ${file}`);
  for (const dir of testCase.noData?.(ctx) ?? []) {
    const dataFiles = walkFiles(dir).filter((f) => f.endsWith("data.jsonl") && lineCount(f) > 0);
    if (dataFiles.length > 0) failures.push(`wrote records although the input was rejected: ${dataFiles.join(", ")}`);
  }
  return failures;
}

export interface BadInputSummary {
  tried: number;
  rejectedCleanly: number;
  failures: string[];
}

/** The whole corpus against a fresh simulator (used by scripts/chaos.ts), two at a time. */
export async function runBadInputCorpus(workDir: string): Promise<BadInputSummary> {
  const deadUrl = await unusedLocalUrl();
  const cases = [...fixtureCases({ full: true, readers: await availableReaders() }), ...cliCases()];
  return withSimulator({}, async (sim) => {
    const outcomes: CaseOutcome[] = [];
    const queue = cases.map((c, i) => ({ c, i }));
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const ctx = { dir: join(workDir, "bad-input", String(next.i)), simUrl: sim.url, deadUrl };
        outcomes.push(await runCase(next.c, ctx));
      }
    };
    await Promise.all([worker(), worker()]);
    const failures = outcomes.flatMap((o) => o.failures.map((f) => `${o.name}: ${f}`));
    return { tried: outcomes.length, rejectedCleanly: outcomes.filter((o) => o.failures.length === 0).length, failures };
  });
}

/** Every reader; `filter` only once its command takes --in (it is still being written). */
export async function availableReaders(): Promise<Reader[]> {
  const filterHelp = await runCli(["filter", "--help"]);
  const filterReady = filterHelp.code === 0 && filterHelp.stdout.includes("--in");
  return ["dedup", "export", "evolve", "translate", "answer", "generate", "run", ...(filterReady ? (["filter"] as const) : [])];
}
