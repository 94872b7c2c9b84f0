/**
 * What the manifest says about the endpoint. When the endpoint is instructforge's own simulator
 * (it says so in /v1/models), every run made with it is labelled as simulated data. The listing
 * is the one `llm/discovery.ts` reads once per endpoint.
 */
import { contextOf, readModelListing } from "../llm/discovery.js";
import { isOpenAiHost } from "../llm/cost.js";
import type { LlmSettings, ModelSource } from "../llm/types.js";

export interface EndpointInfo {
  baseUrl: string;
  model: string;
  /** How the model was chosen when no --model named it (discovered from /v1/models, kept from the earlier run …). */
  modelSource?: ModelSource;
  simulator: boolean;
  /** Tokens one request may use (prompt + reply), as the endpoint reported it; max_tokens is fitted to it. */
  contextTokens?: number;
  note?: string;
}

const SIMULATOR_NOTE = "endpoint is the instructforge SIMULATOR — a test double, not a model; this data shows the pipeline working, not generation quality";

export async function describeEndpoint(settings: LlmSettings): Promise<EndpointInfo> {
  const info: EndpointInfo = { baseUrl: settings.baseUrl, model: settings.model, simulator: false };
  if (settings.modelSource && settings.modelSource !== "given") info.modelSource = settings.modelSource;
  // OpenAI's listing has no context sizes and the simulator is never there: nothing to ask.
  const listing = isOpenAiHost(settings.baseUrl) ? undefined : await readModelListing(settings.baseUrl, settings.apiKey);
  const contextTokens = settings.contextTokens ?? contextOf(listing, settings.model);
  if (contextTokens) info.contextTokens = contextTokens;
  return listing?.simulator ? { ...info, simulator: true, note: SIMULATOR_NOTE } : info;
}
