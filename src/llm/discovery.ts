/**
 * What an endpoint says about itself in `GET /v1/models`, read once per endpoint and process:
 * the models it serves, the context one request may use where it reports one (llama.cpp's
 * server: `data[].meta.n_ctx`, per slot; vLLM: `data[].max_model_len`), and whether it is
 * instructforge's own simulator (a test double, which says so in the listing).
 *
 * On OpenAI's own host nothing is read: its listing holds every model of the account and no
 * context sizes, and `--model` keeps its old default there.
 */
import path from "node:path";
import { z } from "zod";
import { parseJsonOrUndefined, readJsonIfPresent } from "../io/json.js";
import { isOpenAiHost } from "./cost.js";
import type { LlmSettings, ModelSource } from "./types.js";

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
/** A listing is reused this long: every stage of a pipeline shares one read, a later run reads anew. */
const LISTING_REUSE_MS = 10 * 60_000;
const listings = new Map<string, { readAt: number; listing: Promise<ModelListing | undefined> }>();

/**
 * The endpoint's listing: undefined when the endpoint cannot be reached, an empty list when it
 * answers without a listing we can read. One request per endpoint and run.
 */
export function readModelListing(baseUrl: string, apiKey: string): Promise<ModelListing | undefined> {
  const known = listings.get(baseUrl);
  if (known && Date.now() - known.readAt < LISTING_REUSE_MS) return known.listing;
  const listing = fetchListing(baseUrl, apiKey);
  listings.set(baseUrl, { readAt: Date.now(), listing });
  return listing;
}

async function fetchListing(baseUrl: string, apiKey: string): Promise<ModelListing | undefined> {
  let text: string;
  try {
    const response = await fetch(`${baseUrl.replace(/\/$/, "")}/models`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(LISTING_TIMEOUT_MS),
    });
    text = response.ok ? await response.text() : "";
  } catch {
    return undefined;
  }
  const reply = ModelsReply.safeParse(parseJsonOrUndefined(text));
  if (!reply.success) return { models: [], simulator: false };
  const models = reply.data.data.flatMap((raw) => {
    const entry = ModelEntry.safeParse(raw);
    if (!entry.success) return [];
    const contextTokens = entry.data.meta?.n_ctx ?? entry.data.max_model_len ?? reply.data.meta?.n_ctx;
    return [{ id: entry.data.id, ...(contextTokens ? { contextTokens } : {}) }];
  });
  return { models, simulator: text.includes(SIMULATOR_MARK) };
}

export type DiscoveredSettings = { ok: true; settings: LlmSettings } | { ok: false; problem: string };

/**
 * Fill in what the endpoint can tell: the model when none was given and the endpoint serves
 * exactly one, and the context size of the model used. `settings.modelSource` says how the model
 * was chosen (`modelNote` turns it into the line a command prints).
 *
 * A run resumed without `--model` keeps the model its earlier part used (`earlierRunDir`, its
 * `--out`): on the same endpoint always, since runs made before discovery recorded the old
 * default there and must still resume; on another endpoint only when that one lists no model.
 */
export async function discoverSettings(settings: Omit<LlmSettings, "model"> & { model?: string }, earlierRunDir?: string): Promise<DiscoveredSettings> {
  const chosen = (model: string, modelSource: ModelSource, contextTokens?: number): DiscoveredSettings => ({
    ok: true,
    settings: { ...settings, model, modelSource, ...(contextTokens ? { contextTokens } : {}) },
  });
  const earlier = settings.model === undefined && earlierRunDir !== undefined ? endpointOfEarlierRun(earlierRunDir) : undefined;
  const sameEndpoint = earlier?.baseUrl === settings.baseUrl;
  if (isOpenAiHost(settings.baseUrl)) {
    if (settings.model) return chosen(settings.model, "given");
    return sameEndpoint ? chosen(earlier.model, "earlier run") : chosen(LEGACY_DEFAULT_MODEL, "default");
  }
  const listing = await readModelListing(settings.baseUrl, settings.apiKey);
  const withContext = (model: string, source: ModelSource) => chosen(model, source, settings.contextTokens ?? contextOf(listing, model));
  if (settings.model) return withContext(settings.model, "given");
  if (earlier && sameEndpoint) return withContext(earlier.model, "earlier run");
  const served = listing?.models ?? [];
  if (served.length > 1) {
    const names = served.map((m) => m.id);
    return { ok: false, problem: `${settings.baseUrl} serves ${names.length} models (${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""}): choose one with --model` };
  }
  if (served.length === 1) return withContext(served[0]!.id, "discovered");
  if (earlier) return withContext(earlier.model, "earlier run");
  // An endpoint that cannot be reached at all fails on its first request, with a clearer message.
  return withContext(LEGACY_DEFAULT_MODEL, listing ? "unlisted" : "default");
}

/** The line to tell the user how the model was chosen, when it was not given. */
export function modelNote(settings: Pick<LlmSettings, "model" | "modelSource" | "baseUrl">): string | undefined {
  switch (settings.modelSource) {
    case "discovered":
      return `no --model given: using '${settings.model}', the one model ${settings.baseUrl} serves`;
    case "earlier run":
      return `no --model given: using '${settings.model}', the model the earlier run in this output directory was made with`;
    case "unlisted":
      return `no --model given and ${settings.baseUrl}/models lists none: sending '${settings.model}'; set --model to the name the server knows`;
    default:
      return undefined;
  }
}

/** The context of `model`; a one-model server (llama.cpp answers whatever name is asked) gives its own. */
export function contextOf(listing: ModelListing | undefined, model: string): number | undefined {
  if (!listing) return undefined;
  const entry = listing.models.find((m) => m.id === model) ?? (listing.models.length === 1 ? listing.models[0] : undefined);
  return entry?.contextTokens;
}

const EarlierEndpoint = z.object({ baseUrl: z.string(), model: z.string().min(1) });
const EarlierStage = z.object({ endpoint: EarlierEndpoint });
const EarlierPipeline = z.object({ llm: EarlierEndpoint });

/** The endpoint a stage run (`manifest.json`) or pipeline run (`pipeline.json`) in `dir` was made with. */
function endpointOfEarlierRun(dir: string): z.infer<typeof EarlierEndpoint> | undefined {
  return (
    readEndpoint(path.join(dir, "manifest.json"), (value) => EarlierStage.safeParse(value).data?.endpoint) ??
    readEndpoint(path.join(dir, "pipeline.json"), (value) => EarlierPipeline.safeParse(value).data?.llm)
  );
}

function readEndpoint(file: string, pick: (value: unknown) => z.infer<typeof EarlierEndpoint> | undefined) {
  const read = readJsonIfPresent(file);
  return read && "value" in read ? pick(read.value) : undefined;
}
