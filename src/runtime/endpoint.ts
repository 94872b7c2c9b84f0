/**
 * What the manifest says about the endpoint. When the endpoint is instructforge's own simulator
 * (it says so in /v1/models), every run made with it is labelled as simulated data.
 */
import type { LlmSettings } from "../llm/types.js";

export interface EndpointInfo {
  baseUrl: string;
  model: string;
  simulator: boolean;
  note?: string;
}

const SIMULATOR_NOTE = "endpoint is the instructforge SIMULATOR — a test double, not a model; this data shows the pipeline working, not generation quality";

export async function describeEndpoint(settings: LlmSettings): Promise<EndpointInfo> {
  const info: EndpointInfo = { baseUrl: settings.baseUrl, model: settings.model, simulator: false };
  if (!(await servedBySimulator(settings))) return info;
  return { ...info, simulator: true, note: SIMULATOR_NOTE };
}

async function servedBySimulator(settings: LlmSettings): Promise<boolean> {
  // Only local endpoints can be the simulator; never probe a remote API for it.
  const host = new URL(settings.baseUrl).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") return false;
  try {
    const response = await fetch(`${settings.baseUrl.replace(/\/$/, "")}/models`, {
      headers: { authorization: `Bearer ${settings.apiKey}` },
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) return false;
    return (await response.text()).includes("instructforge-simulator");
  } catch {
    return false;
  }
}
