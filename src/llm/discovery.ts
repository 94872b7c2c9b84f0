/**
 * What an endpoint says about itself in `GET /v1/models`, read once per endpoint and process:
 * the models it serves, the context one request may use where it reports one (llama.cpp's
 * server: `data[].meta.n_ctx`, per slot; vLLM: `data[].max_model_len`), and whether it is
 * instructforge's own simulator (a test double, which says so in the listing).
 *
 * On OpenAI's own host nothing is read: its listing holds every model of the account and no
 * context sizes, and `--model` keeps its old default there.
 */
import { z } from "zod";
import { parseJsonOrUndefined } from "../io/json.js";
import { isOpenAiHost } from "./cost.js";
import type { LlmSettings } from "./types.js";

/** `--model`'s default where the endpoint is not asked (OpenAI) or cannot say (no listing). */
export const LEGACY_DEFAULT_MODEL = "gpt-4o-mini";

const positiveInt = z.number().int().positive();

const ModelEntry = z.object({
  id: z.string().min(1),
  owned_by: z.string().optional(),
  max_model_len: positiveInt.optional(),
  meta: z.object({ n_ctx: positiveInt.optional() }).loose().nullish(),
});

const ModelsReply = z.object({
  data: z.array(z.unknown()),
  // Some llama.cpp builds put meta beside the list rather than in each entry.
  meta: z.object({ n_ctx: positiveInt.optional() }).loose().nullish(),
});

export interface ModelListing {
  models: { id: string; contextTokens?: number }[];
  /** The endpoint is instructforge's simulator (a test double). */
  simulator: boolean;
}

const SIMULATOR_MARK = "instructforge-simulator";
const LISTING_TIMEOUT_MS = 5000;
const listings = new Map<string, Promise<ModelListing | undefined>>();

/** The endpoint's listing, or undefined when it has none we can read. One request per endpoint. */
export function readModelListing(baseUrl: string, apiKey: string): Promise<ModelListing | undefined> {
  let listing = listings.get(baseUrl);
  if (!listing) {
    listing = fetchListing(baseUrl, apiKey);
    listings.set(baseUrl, listing);
  }
  return listing;
}

async function fetchListing(baseUrl: string, apiKey: string): Promise<ModelListing | undefined> {
  let text: string;
  try {
    const response = await fetch(`${baseUrl.replace(/\/$/, "")}/models`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(LISTING_TIMEOUT_MS),
    });
    if (!response.ok) return undefined;
    text = await response.text();
  } catch {
    return undefined;
  }
  const reply = ModelsReply.safeParse(parseJsonOrUndefined(text));
  if (!reply.success) return undefined;
  const models = reply.data.data.flatMap((raw) => {
    const entry = ModelEntry.safeParse(raw);
    if (!entry.success) return [];
    const contextTokens = entry.data.meta?.n_ctx ?? entry.data.max_model_len ?? reply.data.meta?.n_ctx;
    return [{ id: entry.data.id, ...(contextTokens ? { contextTokens } : {}) }];
  });
  return { models, simulator: text.includes(SIMULATOR_MARK) };
}

/** How the model of a run was chosen, for the message and the manifest. */
export type ModelSource = "given" | "discovered" | "default";

export type DiscoveredSettings =
  | { ok: true; settings: LlmSettings; modelSource: ModelSource; notes: string[] }
  | { ok: false; problem: string };

/**
 * Fill in what the endpoint can tell: the model when none was given and the endpoint serves
 * exactly one, and the context size of the model used.
 */
export async function discoverSettings(settings: Omit<LlmSettings, "model"> & { model?: string }): Promise<DiscoveredSettings> {
  if (isOpenAiHost(settings.baseUrl)) {
    return { ok: true, settings: { ...settings, model: settings.model ?? LEGACY_DEFAULT_MODEL }, modelSource: settings.model ? "given" : "default", notes: [] };
  }
  const listing = await readModelListing(settings.baseUrl, settings.apiKey);
  const notes: string[] = [];
  let model = settings.model;
  let modelSource: ModelSource = "given";
  if (model === undefined) {
    const served = listing?.models ?? [];
    if (served.length > 1) {
      const names = served.map((m) => m.id);
      return { ok: false, problem: `${settings.baseUrl} serves ${names.length} models (${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""}): choose one with --model` };
    }
    if (served.length === 1) {
      model = served[0]!.id;
      modelSource = "discovered";
      notes.push(`no --model given: using '${model}', the one model ${settings.baseUrl} serves`);
    } else {
      model = LEGACY_DEFAULT_MODEL;
      modelSource = "default";
      notes.push(`no --model given and ${settings.baseUrl}/models lists none: sending '${model}'; set --model to the name the server knows`);
    }
  }
  const contextTokens = settings.contextTokens ?? contextOf(listing, model);
  return { ok: true, settings: { ...settings, model, ...(contextTokens ? { contextTokens } : {}) }, modelSource, notes };
}

/** The context of `model`; a one-model server (llama.cpp answers whatever name is asked) gives its own. */
export function contextOf(listing: ModelListing | undefined, model: string): number | undefined {
  if (!listing) return undefined;
  const entry = listing.models.find((m) => m.id === model) ?? (listing.models.length === 1 ? listing.models[0] : undefined);
  return entry?.contextTokens;
}
