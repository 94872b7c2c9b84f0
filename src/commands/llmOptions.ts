/**
 * The LLM flags every LLM-using command shares, and their resolution into `LlmSettings`
 * (flags win over environment variables). The API key is read here and never printed.
 */
import { Option, type Command } from "commander";
import { z } from "zod";
import { UserError } from "../errors.js";
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
  serviceTier: z.enum(["default", "flex"]).optional(),
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
    .option("--model <name>", "model name as the endpoint knows it", process.env.INSTRUCTFORGE_MODEL ?? "gpt-4o-mini")
    .option("--concurrency <n>", "requests in flight at once", "8")
    .option("--rpm <n>", "requests-per-minute limit")
    .option("--tpm <n>", "tokens-per-minute limit")
    .option("--timeout <seconds>", "per-request timeout in seconds", "120")
    .option("--max-retries <n>", "retries on 429/5xx/timeouts before giving up", "6")
    .addOption(new Option("--service-tier <tier>", "OpenAI service tier: flex is slower and half price (o3, o4-mini, gpt-5 family)").choices(["default", "flex"]));
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

export function resolveLlmSettings(flags: LlmFlags, sources: EndpointSources = {}): LlmSettings {
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
  const defaults: EndpointDefaults = {
    apiKey: flags.apiKey,
    model: flags.model ?? "",
    concurrency: LlmSettings.shape.concurrency.parse(toNumber("--concurrency", flags.concurrency)),
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
  const parsed = LlmSettings.safeParse({
    // With several endpoints the first names the run (manifest, cache key, price); capacity is their sum.
    baseUrl: first?.baseUrl ?? urls[0],
    apiKey: first?.apiKey ?? flags.apiKey,
    model: first?.model ?? flags.model,
    concurrency: endpoints ? endpoints.reduce((sum, e) => sum + e.concurrency, 0) : defaults.concurrency,
    rpm: endpoints ? undefined : defaults.rpm,
    tpm: endpoints ? undefined : defaults.tpm,
    timeoutMs: timeoutSeconds === undefined ? undefined : Math.round(timeoutSeconds * 1000),
    maxRetries: toNumber("--max-retries", flags.maxRetries),
    endpoints,
    serviceTier: flags.serviceTier,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`invalid LLM setting ${issue?.path.join(".")}: ${issue?.message}`, 2);
  }
  return parsed.data;
}
