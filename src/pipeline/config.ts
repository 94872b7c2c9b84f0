/**
 * The pipeline config (`instructforge run --config pipeline.yaml`): one zod schema is the single
 * source of truth for what a config may hold. YAML or JSON (JSON is YAML) is parsed with a line
 * counter so every error names the file, the line and the key:
 *
 *   configs/x.yaml:12: stages[1].evolve.rounds: expected a positive integer, got "four"
 *
 * Input paths in the file (seeds, input, prompt, blacklist) are relative to the config file, so a
 * config works from any directory; `out` is relative to where `run` is started.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { UserError } from "../errors.js";
import { readUtf8Text } from "../io/records.js";
import { EXPORT_FORMATS } from "../io/exporters.js";
import { EndpointConfig, EndpointConfigList } from "../llm/endpoints.js";
import { ModelPrice } from "../llm/types.js";
import { LlmMode, ServiceTier } from "../llm/batch/settings.js";
import { Language } from "../schemas.js";
import { FilterThresholds } from "../stages/filter/config.js";
import { STAGES } from "../stages/index.js";
import { flag, nonNegativeInt, oneOf, path, positiveInt, positiveNumber, text } from "../stages/optionParts.js";

/** Exit code for a config the user must fix (same as bad flags). */
export const CONFIG_ERROR_EXIT = 2;

/** Each work stage's options are its definition's schema (src/stages/<stage>/definition.ts); `export` is the pipeline's last step. */
export const ExportOptions = z.strictObject({
  formats: z.array(oneOf(EXPORT_FORMATS), { error: `a list of: ${EXPORT_FORMATS.join(", ")}` }).min(1, { error: "at least one format" }),
  bom: flag().optional(),
  systemPrompt: text().optional(),
});

export const STAGE_OPTIONS = {
  generate: STAGES.generate.options,
  evolve: STAGES.evolve.options,
  answer: STAGES.answer.options,
  dedup: STAGES.dedup.options,
  filter: STAGES.filter.options,
  translate: STAGES.translate.options,
  export: ExportOptions,
} as const;

export type StageName = keyof typeof STAGE_OPTIONS;
export const STAGE_NAMES = Object.keys(STAGE_OPTIONS) as StageName[];

export type StageOptions<K extends StageName> = z.infer<(typeof STAGE_OPTIONS)[K]>;
/** One entry of `stages`, as the runner sees it. */
export type StageConfig = { [K in StageName]: { name: K; options: StageOptions<K> } }[StageName];

const NO_KEY_IN_FILE = "the API key never goes in a config file: remove it and set OPENAI_API_KEY in the environment";

export const LlmConfig = z.strictObject({
  baseUrl: z.url({ error: "a URL such as https://api.openai.com/v1 or http://127.0.0.1:8000/v1" }).optional(),
  model: z.string({ error: "a model name" }).min(1, { error: "a model name" }).optional(),
  concurrency: positiveInt().optional(),
  rpm: positiveNumber().optional(),
  tpm: positiveNumber().optional(),
  timeoutSeconds: positiveNumber().optional(),
  maxRetries: nonNegativeInt().optional(),
  /** "batch": the OpenAI Batch API (half price), in waves of `batchWave` requests. */
  mode: z.enum(LlmMode.options, { error: `one of ${LlmMode.options.join(", ")}` }).optional(),
  batchWave: positiveInt().optional(),
  serviceTier: z.enum(ServiceTier.options, { error: `one of ${ServiceTier.options.join(", ")}` }).optional(),
  /** USD per 1K tokens, by model name; wins over the built-in table. */
  prices: z.record(z.string(), ModelPrice, { error: "a map of model name → {prompt, completion, cachedPrompt?} (USD per 1K tokens)" }).optional(),
  /** Several servers of one model, instead of `baseUrl` (schema: src/llm/endpoints.ts). */
  endpoints: EndpointConfigList.optional(),
  apiKey: z.never({ error: NO_KEY_IN_FILE }).optional(),
});
export type LlmConfig = z.infer<typeof LlmConfig>;

/** `- generate: {...}` → `{name: "generate", options}`; `- dedup:` with no options is allowed. */
const StageEntry = z.unknown().transform((entry, ctx): StageConfig => {
  if (!isPlainObject(entry) || Object.keys(entry).length !== 1) {
    ctx.addIssue({ code: "custom", message: `each stage is one key naming it, e.g. "- dedup: {}"; stages are: ${STAGE_NAMES.join(", ")}` });
    return z.NEVER;
  }
  const [name, value] = Object.entries(entry)[0]!;
  if (!isStageName(name)) {
    const hint = closest(name, STAGE_NAMES);
    ctx.addIssue({ code: "custom", path: [name], message: `unknown stage${hint ? ` (did you mean "${hint}"?)` : ""}; stages are: ${STAGE_NAMES.join(", ")}` });
    return z.NEVER;
  }
  const parsed = STAGE_OPTIONS[name].safeParse(value ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [name, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return { name, options: parsed.data } as StageConfig;
});

export const PipelineConfig = z.strictObject({
  llm: LlmConfig.optional(),
  /** Language of the dataset; flows into every stage that takes one. */
  lang: z.enum(Language.options, { error: `one of ${Language.options.join(", ")}` }).default("en"),
  /** The run directory (relative to the current directory); `run --out` overrides it. */
  out: path().optional(),
  /** Seed for every random choice, so a re-run sends the same requests (and hits the cache). */
  seed: nonNegativeInt().default(1),
  /** Records to start from when the first stage is not `generate`. */
  input: path().optional(),
  stages: z.array(StageEntry, { error: "a list of stages" }).min(1, { error: "at least one stage" }),
}).superRefine((config, ctx) => {
  if (config.llm?.baseUrl !== undefined && config.llm.endpoints !== undefined) {
    ctx.addIssue({ code: "custom", path: ["llm", "endpoints"], message: "set llm.baseUrl or llm.endpoints, not both (the endpoints list names every server)" });
  }
  const first = config.stages[0];
  if (first && first.name !== "generate" && config.input === undefined) {
    ctx.addIssue({ code: "custom", path: ["stages", 0, first.name], message: `the first stage is ${first.name}, which reads records: set \`input:\` to an Alpaca JSON/JSONL file, or start with generate` });
  }
  const translate = config.stages.findIndex((s) => s.name === "translate");
  if (translate >= 0 && config.lang !== "zh") {
    ctx.addIssue({ code: "custom", path: ["stages", translate, "translate"], message: "translate writes Simplified Chinese: set `lang: zh` at the top of the config" });
  }
});
export type PipelineConfig = z.infer<typeof PipelineConfig>;

export interface LoadedConfig {
  file: string;
  config: PipelineConfig;
}

/** Read, parse and validate a config; every problem is a `UserError` with exit code 2. */
export async function loadPipelineConfig(file: string): Promise<LoadedConfig> {
  const source = await readUtf8Text(file).catch((error: unknown) => {
    throw error instanceof UserError ? new UserError(error.message, CONFIG_ERROR_EXIT) : error;
  });
  return { file, config: parsePipelineConfig(source, file) };
}

export function parsePipelineConfig(source: string, file: string): PipelineConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    throw new UserError(`${file}:${line}: not valid YAML or JSON: ${syntaxError.message.split("\n")[0]}`, CONFIG_ERROR_EXIT);
  }
  const data: unknown = doc.toJS() ?? {};
  const parsed = PipelineConfig.safeParse(data);
  if (!parsed.success) throw configError(file, doc, lineCounter, data, parsed.error.issues);
  return resolvePaths(parsed.data, dirname(file));
}

function resolvePaths(config: PipelineConfig, baseDir: string): PipelineConfig {
  const fromFile = (p: unknown) => (typeof p !== "string" || isAbsolute(p) ? p : resolve(baseDir, p));
  const stages = config.stages.map((stage): StageConfig => {
    if (stage.name === "export") return stage;
    const options: Record<string, unknown> = { ...stage.options };
    for (const key of STAGES[stage.name].paths) options[key] = fromFile(options[key]);
    return { ...stage, options } as StageConfig;
  });
  return { ...config, input: fromFile(config.input) as string | undefined, stages: stages.map(dropUndefined) };
}

/** Resolving paths must not add `key: undefined` entries (they would show up in manifests). */
function dropUndefined(stage: StageConfig): StageConfig {
  const options = Object.fromEntries(Object.entries(stage.options).filter(([, v]) => v !== undefined));
  return { ...stage, options } as StageConfig;
}

// ---------------------------------------------------------------------------------------------
// Error messages: zod issue → "file:line: key.path: problem"

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

function configError(file: string, doc: Document, lineCounter: LineCounter, data: unknown, issues: readonly Issue[]): UserError {
  const lines = issues
    .flatMap((issue) => describe(issue, data))
    .map((d) => ({ ...d, line: lineOf(doc, lineCounter, d.path) }))
    .sort((a, b) => a.line - b.line)
    .map((d) => `${file}:${d.line}: ${d.path.length > 0 ? `${formatPath(d.path)}: ` : ""}${d.problem}`);
  return new UserError([...new Set(lines)].join("\n"), CONFIG_ERROR_EXIT);
}

interface Described {
  path: PathKey[];
  problem: string;
}

function describe(issue: Issue, data: unknown): Described[] {
  const path = [...issue.path];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const hint = closest(key, knownKeysAt(path));
      const advice = key === "apiKey" || key === "api_key" ? `; ${NO_KEY_IN_FILE}` : hint ? ` (did you mean "${hint}"?)` : "";
      return { path: [...path, key], problem: `unknown key${advice}` };
    });
  }
  if (issue.code === "custom") return [{ path, problem: issue.message }];
  if (path.at(-1) === "apiKey" && path[1] !== "endpoints") return [{ path, problem: NO_KEY_IN_FILE }];
  const value = valueAt(data, path);
  if (value === undefined) return [{ path, problem: `missing; expected ${issue.message}` }];
  return [{ path, problem: `expected ${issue.message}, got ${JSON.stringify(value)}` }];
}

/** `stages[1].evolve.rounds` */
export function formatPath(path: readonly PathKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The line of the deepest key (or list item) of `path` present in the document. */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PathKey[]): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lineCounter.linePos(offset).line;
}

/** The keys the schema allows at an object path, for "did you mean". */
function knownKeysAt(path: readonly PathKey[]): string[] {
  if (path.length === 0) return Object.keys(PipelineConfig.shape);
  if (path[0] === "llm" && path[1] === "endpoints") return Object.keys(EndpointConfig.shape);
  if (path[0] === "llm") return Object.keys(LlmConfig.shape).filter((k) => k !== "apiKey");
  const stage = path[2];
  if (path[0] === "stages" && typeof stage === "string" && isStageName(stage)) {
    if (stage === "filter" && path[3] === "thresholds") return Object.keys(FilterThresholds.shape);
    return Object.keys(STAGE_OPTIONS[stage].shape);
  }
  return [];
}

function isStageName(name: string): name is StageName {
  return Object.hasOwn(STAGE_OPTIONS, name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The candidate within edit distance 2 (or a third of the word), if any: typo suggestions. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      // Adjacent swaps ("nmu" → "num") count as one edit: the commonest typo.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
