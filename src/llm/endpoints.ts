/**
 * Several OpenAI-compatible endpoints serving one model (replicas: several vLLM servers, an
 * OpenAI key next to a local server …). Two shapes, both zod:
 *
 * - `EndpointConfig`: one entry of `llm.endpoints` in a pipeline config, as the user writes it.
 *   The key is named by the environment variable that holds it (`apiKeyEnv`), or given literally
 *   (`apiKey`, meant for the placeholder keys local servers accept); without either, the run's
 *   key (`OPENAI_API_KEY` / `--api-key`) is used.
 * - `EndpointSettings`: a resolved endpoint, key read, every limit filled in.
 *
 * The endpoints must serve the same model: the response cache, the price and the run's model
 * name are the first endpoint's, so a reply is reused whichever endpoint answered. `model` per
 * endpoint is only the name that server knows the model by (vLLM's served name, an Ollama tag).
 */
import { z } from "zod";
import { UserError } from "../errors.js";
import type { LlmSettings } from "./types.js";

const httpUrl = z
  .string({ error: "a URL such as http://127.0.0.1:8000/v1" })
  .url({ error: "a URL such as http://127.0.0.1:8000/v1" })
  .refine((url) => /^https?:\/\//i.test(url), { error: "an http:// or https:// URL such as http://127.0.0.1:8000/v1" });
const positiveInt = () => z.number({ error: "a positive integer" }).int({ error: "a positive integer" }).positive({ error: "a positive integer" });
const positiveNumber = () => z.number({ error: "a positive number" }).positive({ error: "a positive number" });

export const EndpointConfig = z
  .strictObject({
    baseUrl: httpUrl,
    /** A literal key; for local servers' placeholder keys. Real keys belong in `apiKeyEnv`. */
    apiKey: z.string({ error: "a string" }).min(1, { error: "a non-empty string" }).optional(),
    /** Name of the environment variable holding this endpoint's key. */
    apiKeyEnv: z.string({ error: "an environment variable name" }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "an environment variable name such as VLLM_KEY" }).optional(),
    model: z.string({ error: "a model name" }).min(1, { error: "a model name" }).optional(),
    concurrency: positiveInt().optional(),
    rpm: positiveNumber().optional(),
    tpm: positiveNumber().optional(),
  })
  .refine((entry) => !(entry.apiKey !== undefined && entry.apiKeyEnv !== undefined), { error: "set apiKey or apiKeyEnv, not both" });
export type EndpointConfig = z.infer<typeof EndpointConfig>;

export const EndpointConfigList = z.array(EndpointConfig, { error: "a list of endpoints, each {baseUrl, apiKeyEnv?, model?, concurrency?, rpm?, tpm?}" }).min(1, { error: "at least one endpoint" });

export const EndpointSettings = z.object({
  baseUrl: httpUrl,
  apiKey: z.string().min(1),
  model: z.string().min(1),
  concurrency: z.number().int().positive(),
  rpm: z.number().positive().optional(),
  tpm: z.number().positive().optional(),
});
export type EndpointSettings = z.infer<typeof EndpointSettings>;

/** What an endpoint takes when its entry does not say: the run's own flags. */
export interface EndpointDefaults {
  apiKey?: string;
  model: string;
  concurrency: number;
  rpm?: number;
  tpm?: number;
}

export interface ResolveOptions {
  /** Where `apiKeyEnv` is looked up (the commands pass `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** A dry run prices and counts without any key: a missing one is then no error. */
  requireKeys?: boolean;
}

/** Config entries → endpoints, keys read; a missing key names the entry and the variable. */
export function resolveEndpoints(entries: readonly EndpointConfig[], defaults: EndpointDefaults, options: ResolveOptions): EndpointSettings[] {
  return entries.map((entry, index) => {
    const fromEnv = entry.apiKeyEnv === undefined ? undefined : options.env[entry.apiKeyEnv]?.trim() || undefined;
    const apiKey = entry.apiKey ?? (entry.apiKeyEnv === undefined ? defaults.apiKey : fromEnv);
    if (!apiKey && options.requireKeys !== false) {
      const where = `llm.endpoints[${index}] (${entry.baseUrl})`;
      throw new UserError(
        entry.apiKeyEnv === undefined
          ? `${where} has no API key: set apiKeyEnv to the variable holding it, or OPENAI_API_KEY for all endpoints`
          : `${where}: the environment variable ${entry.apiKeyEnv} is not set (it should hold this endpoint's API key)`,
        2,
      );
    }
    return {
      baseUrl: entry.baseUrl,
      apiKey: apiKey ?? "dry-run",
      model: entry.model ?? defaults.model,
      concurrency: entry.concurrency ?? defaults.concurrency,
      rpm: entry.rpm ?? defaults.rpm,
      tpm: entry.tpm ?? defaults.tpm,
    };
  });
}

/** The same flags for each of several `--base-url`s. */
export function endpointsFromUrls(urls: readonly string[], defaults: EndpointDefaults & { apiKey: string }): EndpointSettings[] {
  return urls.map((baseUrl) => ({ baseUrl, apiKey: defaults.apiKey, model: defaults.model, concurrency: defaults.concurrency, rpm: defaults.rpm, tpm: defaults.tpm }));
}

/** Two entries for one URL would double-count its capacity; more likely a typo. */
export function checkDistinctUrls(endpoints: readonly EndpointSettings[]): void {
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    const url = endpoint.baseUrl.replace(/\/+$/, "");
    if (seen.has(url)) throw new UserError(`the endpoint ${endpoint.baseUrl} is listed twice; give each server once, with its concurrency`, 2);
    seen.add(url);
  }
}

/** The endpoints a client spreads its requests over: the list, or the one `baseUrl`. */
export function endpointsOf(settings: LlmSettings): EndpointSettings[] {
  if (settings.endpoints && settings.endpoints.length > 0) return settings.endpoints;
  return [{ baseUrl: settings.baseUrl, apiKey: settings.apiKey, model: settings.model, concurrency: settings.concurrency, rpm: settings.rpm, tpm: settings.tpm }];
}
