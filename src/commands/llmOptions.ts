/**
 * The LLM flags every LLM-using command shares, and their resolution into `LlmSettings`
 * (flags win over environment variables), completed by what the endpoint says about itself
 * (`llm/discovery.ts`: the model when none is given, its context size). The API key is read here
 * and never printed.
 */
import { Option, type Command } from "commander";
import { z } from "zod";
import { UserError } from "../errors.js";
import { LEGACY_DEFAULT_MODEL, discoverSettings } from "../llm/discovery.js";
import { LlmMode, ServiceTier } from "../llm/batch/settings.js";
import { checkDistinctUrls, endpointsFromUrls, resolveEndpoints, type EndpointConfig, type EndpointDefaults } from "../llm/endpoints.js";
import { LlmSettings } from "../llm/types.js";

/** The LLM flags as commander hands them over (strings); also how the pipeline passes them in. */
export const LlmFlags = z.object({
  /** One URL, or several (`--base-url` repeated): the requests are spread over them. */
  baseUrl: z.union([z.string(), z.array(z.string())]).optional(),
  apiKey: z.string().optional(),
  model: z.string().optional(),
  concurrency: z.string().optional(),
  rpm: z.string().optional(),
  tpm: z.string().optional(),
  timeout: z.string().optional(),
  maxRetries: z.string().optional(),
  pricePrompt: z.string().optional(),
  priceCompletion: z.string().optional(),
  mode: z.string().optional(),
  cancelBatches: z.boolean().optional(),
  batchWave: z.string().optional(),
  batchPoll: z.string().optional(),
  serviceTier: z.string().optional(),
});
export type LlmFlags = z.infer<typeof LlmFlags>;

export function addLlmOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--base-url <url>", "OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1; repeat it to spread requests over several servers of one model")
        .env("OPENAI_BASE_URL")
        .argParser(collectUrls),
    )
    .addOption(new Option("--api-key <key>", "API key (prefer the environment variable; any non-empty value for local servers)").env("OPENAI_API_KEY"))
    .addOption(
      new Option(
        "--model <name>",
        `model name as the endpoint knows it (default: on api.openai.com ${LEGACY_DEFAULT_MODEL}; elsewhere the one model the endpoint lists)`,
      ).env("INSTRUCTFORGE_MODEL"),
    )
    .option("--concurrency <n>", "requests in flight at once", "8")
    .option("--rpm <n>", "requests-per-minute limit")
    .option("--tpm <n>", "tokens-per-minute limit")
    .option("--timeout <seconds>", "per-request timeout in seconds", "120")
    .option("--max-retries <n>", "retries on 429/5xx/timeouts before giving up", "6")
    .option("--price-prompt <usd>", "price of 1K prompt tokens, for the cost in the manifest (default: OpenAI's list price on api.openai.com, else unknown)")
    .option("--price-completion <usd>", "price of 1K completion tokens (set together with --price-prompt)")
    .addOption(new Option("--mode <mode>", "online: each request as it comes (--concurrency in flight); batch: the OpenAI Batch API, half price, results within 24 h").choices(LlmMode.options).default("online"))
    .option("--batch-wave <n>", "batch mode: requests per wave (replaces --concurrency)", "1000")
    .option("--batch-poll <seconds>", "batch mode: longest wait between two status checks", "60")
    .addOption(new Option("--service-tier <tier>", "OpenAI service_tier to send; flex is half price, slower, may answer 429 when busy (o3, o4-mini, gpt-5 family)").choices(ServiceTier.options))
    .option("--cancel-batches", "batch mode: on Ctrl-C cancel the open batches (default: leave them running; a re-run collects them)");
}

function collectUrls(value: string, previous: string[] | string | undefined): string[] {
  return [...(previous === undefined ? [] : typeof previous === "string" ? [previous] : previous), value];
}

/** Where endpoints come from besides `--base-url`: a pipeline config's `llm.endpoints`. */
export interface EndpointSources {
  endpoints?: readonly EndpointConfig[];
  /** Looked up for `apiKeyEnv`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** False for a dry run, which needs no key. */
  requireKeys?: boolean;
}

function toNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    if (!(flag === "--max-retries" && n === 0)) throw new UserError(`${flag} must be a positive number, got '${value}'`, 2);
  }
  return n;
}

/** Stages keep 2 × concurrency units going; in batch mode those are one wave (see src/llm/batch/settings.ts). */
function halfWave(wave: number | undefined): number | undefined {
  return wave === undefined ? undefined : Math.max(1, Math.ceil(wave / 2));
}

/** The settings as the flags give them; the model stays unset when no flag or variable names it. */
const GivenSettings = LlmSettings.partial({ model: true });
type GivenSettings = z.infer<typeof GivenSettings>;

export interface ResolveOptions extends EndpointSources {
  /** Ask the endpoint (`/v1/models`); off for a dry run, which sends nothing. Default true. */
  discover?: boolean;
  /** The run directory a resumed run continues (`--out`): without --model, its model is kept. */
  earlierRun?: string;
}

export async function resolveLlmSettings(flags: LlmFlags, options: ResolveOptions = {}): Promise<LlmSettings> {
  const given = givenSettings(flags, options);
  if (options.discover === false) return { ...given, model: given.model ?? LEGACY_DEFAULT_MODEL };
  if (given.endpoints) {
    // Discovery reads one server's listing; several must be told which model they all serve.
    if (given.model === undefined) throw new UserError("several endpoints: name the model they serve with --model (or `model:` per endpoint in the config)", 2);
    return { ...given, model: given.model };
  }
  const found = await discoverSettings(given, options.earlierRun);
  if (!found.ok) throw new UserError(found.problem, 2);
  return found.settings;
}

function explicitPrice(flags: LlmFlags): LlmSettings["price"] {
  if (flags.pricePrompt === undefined && flags.priceCompletion === undefined) return undefined;
  if (flags.pricePrompt === undefined || flags.priceCompletion === undefined) throw new UserError("--price-prompt and --price-completion go together: set both (USD per 1K tokens)", 2);
  const usd = (flag: string, value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new UserError(`${flag} must be a price in USD per 1K tokens (0 or more), got '${value}'`, 2);
    return n;
  };
  return { prompt: usd("--price-prompt", flags.pricePrompt), completion: usd("--price-completion", flags.priceCompletion) };
}

function givenSettings(flags: LlmFlags, sources: EndpointSources): GivenSettings {
  // An empty OPENAI_BASE_URL counts as unset.
  const urls = (flags.baseUrl === undefined ? [] : typeof flags.baseUrl === "string" ? [flags.baseUrl] : flags.baseUrl).filter((url) => url.trim() !== "");
  const entries = sources.endpoints !== undefined && sources.endpoints.length > 0 ? sources.endpoints : undefined;
  if (!entries && urls.length === 0) {
    throw new UserError(
      "no endpoint: set --base-url or OPENAI_BASE_URL (e.g. https://api.openai.com/v1, or http://127.0.0.1:8787/v1 for `instructforge simulate`)",
      2,
    );
  }
  if (!entries && !flags.apiKey) {
    throw new UserError("no API key: set OPENAI_API_KEY (or --api-key); local servers accept any non-empty value", 2);
  }
  const timeoutSeconds = toNumber("--timeout", flags.timeout);
  const batch = flags.mode === "batch";
  const pollSeconds = toNumber("--batch-poll", flags.batchPoll);
  const defaults: EndpointDefaults = {
    apiKey: flags.apiKey,
    model: flags.model ?? "",
    concurrency: LlmSettings.shape.concurrency.parse(batch ? halfWave(toNumber("--batch-wave", flags.batchWave)) : toNumber("--concurrency", flags.concurrency)),
    rpm: toNumber("--rpm", flags.rpm),
    tpm: toNumber("--tpm", flags.tpm),
  };
  const endpoints = entries
    ? resolveEndpoints(entries, defaults, { env: sources.env ?? {}, requireKeys: sources.requireKeys })
    : urls.length > 1
      ? endpointsFromUrls(urls, { ...defaults, apiKey: flags.apiKey ?? "" })
      : undefined;
  if (endpoints) checkDistinctUrls(endpoints);
  const first = endpoints?.[0];
  const parsed = GivenSettings.safeParse({
    // With several endpoints the first names the run (manifest, cache key, price); capacity is their sum.
    baseUrl: first?.baseUrl ?? urls[0],
    apiKey: first?.apiKey ?? flags.apiKey,
    model: first?.model || flags.model,
    concurrency: endpoints ? endpoints.reduce((sum, e) => sum + e.concurrency, 0) : defaults.concurrency,
    rpm: endpoints ? undefined : defaults.rpm,
    tpm: endpoints ? undefined : defaults.tpm,
    timeoutMs: timeoutSeconds === undefined ? undefined : Math.round(timeoutSeconds * 1000),
    maxRetries: toNumber("--max-retries", flags.maxRetries),
    price: explicitPrice(flags),
    mode: flags.mode,
    batch: batch ? { cancelOnAbort: flags.cancelBatches ?? false, pollMaxMs: pollSeconds === undefined ? undefined : Math.round(pollSeconds * 1000) } : undefined,
    endpoints,
    serviceTier: flags.serviceTier,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`invalid LLM setting ${issue?.path.join(".")}: ${issue?.message}`, 2);
  }
  return parsed.data;
}
