/**
 * Server profiles for the SIMULATOR (a TEST DOUBLE): each reproduces how one real server family
 * answers, as recorded in the project's notes on real servers (llama.cpp measured; OpenAI, vLLM
 * and Ollama from their documentation). A profile decides what the simulator does with the
 * request fields that differ between servers — `response_format`, `n`, context limits — and
 * the shape of its errors, `usage` and `/v1/models`. Replies themselves still come from the
 * handlers, and the listing still names the simulator so nothing mistakes it for a model.
 *
 * - `generic`: the simulator as it always was (every JSON mode enforced, no context limit).
 * - `openai`: `{error: {message, type, param, code}}`; `usage.prompt_tokens_details.cached_tokens`
 *   from 1,024 prompt tokens in 128-token blocks; a prompt over the context → 400
 *   `context_length_exceeded`.
 * - `vllm`: errors `{error: {message, type: "BadRequestError", param, code: 400}}`; `/v1/models`
 *   entries carry `max_model_len`; prompt + max_tokens over it → 400 (vLLM checks the sum).
 * - `llamacpp`: `json_object` ignored (plain text back), `json_schema` → 400 "Failed to initialize
 *   samplers"; malformed body → 500; bad fields → 400 `invalid_request_error`; errors
 *   `{error: {code, message, type}}`; `usage` counts only the first choice when n > 1; n above
 *   the slot count → 400; `/v1/models` → `data[0].meta.n_ctx` plus an Ollama-style `models`
 *   list; the reply's `model` is the server's alias; a prompt over the slot's context → 400
 *   `exceed_context_size_error` with `n_prompt_tokens` and `n_ctx`, prompt + max_tokens over
 *   it → accepted and cut (`finish_reason: "length"`).
 * - `ollama`: `n` ignored (one choice), no context size in `/v1/models`, a prompt over the
 *   context is truncated silently to about half the context (HTTP 200, only `prompt_tokens`
 *   shows it) rather than refused; errors OpenAI-shaped.
 */
import { z } from "zod";

export const PROFILE_NAMES = ["generic", "openai", "vllm", "llamacpp", "ollama"] as const;
export const ProfileName = z.enum(PROFILE_NAMES);
export type ProfileName = z.infer<typeof ProfileName>;

/** What a server does with one `response_format` type. */
export type JsonModeBehaviour = "enforced" | "ignored" | "rejected";

/** How a server treats a request that does not fit its context. */
export type ContextPolicy =
  /** llama.cpp: prompt over → 400; prompt + max_tokens over → cut. */
  | "refusePromptCutReply"
  /** vLLM: prompt + max_tokens over → 400. */
  | "refuseTotal"
  /** OpenAI: prompt over → 400; the reply is cut at the context. */
  | "refusePromptOpenAi"
  /** Ollama: the prompt is truncated to the context, the reply cut. */
  | "truncate";

export interface ErrorDetails {
  status: number;
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
  /** Extra top-level fields of the error object (llama.cpp's n_prompt_tokens, n_ctx). */
  extra?: Record<string, unknown>;
}

export interface ServerProfile {
  name: ProfileName;
  jsonObject: JsonModeBehaviour;
  jsonSchema: JsonModeBehaviour;
  /** "all": n choices counted in usage; "firstCounted": n choices, usage of the first; "ignored": one choice. */
  n: "all" | "firstCounted" | "ignored";
  /** Most choices one request may ask for (llama.cpp: its slots). */
  maxN: number;
  /** Status for a body that is not JSON. */
  malformedBodyStatus: number;
  contextPolicy: ContextPolicy;
  /** Context reported (and enforced) when `--context` is not given; undefined → unlimited. */
  defaultContext?: number;
  /** Prompt-cache accounting: tokens below this are never cached; caching in blocks of `cacheBlock`. */
  cacheMinTokens?: number;
  cacheBlock?: number;
  /** The model id the listing shows (the reply's `model` too where the server uses its alias). */
  modelId: string;
  replyModelIsAlias: boolean;
  errorBody(details: ErrorDetails): unknown;
  /** The `/v1/models` reply. */
  models(context: number | undefined, owner: string): unknown;
  /** Extra fields in `usage` (besides prompt/completion/total tokens). */
  usageExtras(cachedTokens: number): Record<string, unknown>;
}

const openAiError = ({ message, type, param, code, extra }: ErrorDetails) => ({ error: { message, type, param: param ?? null, code: code ?? null, ...extra } });

const plainListing = (id: string, owner: string) => ({ object: "list", data: [{ id, object: "model", created: 0, owned_by: owner }] });

const generic: ServerProfile = {
  name: "generic",
  jsonObject: "enforced",
  jsonSchema: "enforced",
  n: "ignored",
  maxN: 128,
  malformedBodyStatus: 400,
  contextPolicy: "refusePromptOpenAi",
  modelId: "instructforge-simulator",
  replyModelIsAlias: false,
  errorBody: openAiError,
  models: (_context, owner) => plainListing("instructforge-simulator", owner),
  usageExtras: () => ({}),
};

const openai: ServerProfile = {
  ...generic,
  name: "openai",
  n: "all",
  cacheMinTokens: 1024,
  cacheBlock: 128,
  usageExtras: (cached) => ({ prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } }),
};

const vllm: ServerProfile = {
  ...generic,
  name: "vllm",
  n: "all",
  contextPolicy: "refuseTotal",
  defaultContext: 8192,
  modelId: "instructforge-simulator/vllm-profile",
  errorBody: ({ status, message, param, extra }) => ({ error: { message, type: "BadRequestError", param: param ?? null, code: status, ...extra } }),
  models: (context, owner) => ({
    object: "list",
    data: [
      {
        id: "instructforge-simulator/vllm-profile",
        object: "model",
        created: 0,
        owned_by: owner,
        root: "instructforge-simulator/vllm-profile",
        parent: null,
        ...(context ? { max_model_len: context } : {}),
        permission: [],
      },
    ],
  }),
  usageExtras: () => ({ prompt_tokens_details: null }),
};

const llamacpp: ServerProfile = {
  ...generic,
  name: "llamacpp",
  jsonObject: "ignored",
  jsonSchema: "rejected",
  n: "firstCounted",
  maxN: 4,
  malformedBodyStatus: 500,
  contextPolicy: "refusePromptCutReply",
  defaultContext: 4096,
  cacheMinTokens: 0,
  cacheBlock: 1,
  modelId: "instructforge-simulator-llamacpp.gguf",
  replyModelIsAlias: true,
  errorBody: ({ status, message, type, extra }) => ({ error: { code: status, message, type, ...extra } }),
  models: (context, owner) => ({
    models: [{ name: "instructforge-simulator-llamacpp.gguf", model: "instructforge-simulator-llamacpp.gguf", type: "model", description: owner, capabilities: ["completion"] }],
    object: "list",
    data: [
      {
        id: "instructforge-simulator-llamacpp.gguf",
        object: "model",
        created: 0,
        owned_by: owner,
        meta: { vocab_type: 2, n_vocab: 32000, n_ctx_train: 32768, ...(context ? { n_ctx: context } : {}), n_params: 0, size: 0 },
      },
    ],
  }),
  usageExtras: (cached) => ({ prompt_tokens_details: { cached_tokens: cached } }),
};

const ollama: ServerProfile = {
  ...generic,
  name: "ollama",
  n: "ignored",
  contextPolicy: "truncate",
  defaultContext: 4096,
  modelId: "instructforge-simulator:latest",
  models: (_context, owner) => plainListing("instructforge-simulator:latest", owner),
};

const PROFILES: Readonly<Record<ProfileName, ServerProfile>> = { generic, openai, vllm, llamacpp, ollama };

export function serverProfile(name: ProfileName = "generic"): ServerProfile {
  return PROFILES[name];
}

export interface ContextVerdict {
  /** A refusal to send instead of a reply. */
  refusal?: ErrorDetails;
  /** Most reply tokens the context leaves; undefined → no limit from the context. */
  replyRoom?: number;
  /** Prompt tokens the server actually read (Ollama truncates). */
  promptTokens: number;
}

/** What the profile's server does with a request of `promptTokens` asking for `maxTokens` under `context`. */
export function judgeContext(profile: ServerProfile, context: number | undefined, promptTokens: number, maxTokens: number | undefined): ContextVerdict {
  if (context === undefined) return { promptTokens };
  const room = Math.max(0, context - promptTokens);
  switch (profile.contextPolicy) {
    case "refusePromptCutReply":
      if (promptTokens > context) {
        return {
          promptTokens,
          refusal: {
            status: 400,
            message: "the request exceeds the available context size, try increasing it",
            type: "exceed_context_size_error",
            extra: { n_prompt_tokens: promptTokens, n_ctx: context },
          },
        };
      }
      return { promptTokens, replyRoom: room };
    case "refuseTotal": {
      const asked = maxTokens ?? 0;
      if (promptTokens + asked > context) {
        return {
          promptTokens,
          refusal: {
            status: 400,
            message:
              `This model's maximum context length is ${context} tokens. However, you requested ${promptTokens + asked} tokens ` +
              `(${promptTokens} in the messages, ${asked} in the completion). Please reduce the length of the messages or completion.`,
            type: "BadRequestError",
          },
        };
      }
      return { promptTokens, replyRoom: room };
    }
    case "refusePromptOpenAi":
      if (promptTokens > context) {
        return {
          promptTokens,
          refusal: {
            status: 400,
            message: `This model's maximum context length is ${context} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
            type: "invalid_request_error",
            param: "messages",
            code: "context_length_exceeded",
          },
        };
      }
      return { promptTokens, replyRoom: room };
    case "truncate": {
      // Ollama keeps the end of an over-long prompt, about half its context's worth, and says
      // nothing but the smaller prompt_tokens (HTTP 200).
      const kept = promptTokens > context ? Math.floor(context / 2) : promptTokens;
      return { promptTokens: kept, replyRoom: Math.max(1, context - kept) };
    }
  }
}

/**
 * OpenAI's reasoning models refuse `max_tokens` and any non-default sampling (`--reasoning-model`
 * makes the served model one of them, whatever its name).
 */
export function reasoningRefusal(body: { max_tokens?: number | null; temperature?: number | null; top_p?: number | null }): ErrorDetails | undefined {
  if (body.max_tokens != null) {
    return {
      status: 400,
      message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: "invalid_request_error",
      param: "max_tokens",
      code: "unsupported_parameter",
    };
  }
  for (const name of ["temperature", "top_p"] as const) {
    const value = body[name];
    if (value != null && value !== 1) {
      return {
        status: 400,
        message: `Unsupported value: '${name}' does not support ${value} with this model. Only the default (1) value is supported.`,
        type: "invalid_request_error",
        param: name,
        code: "unsupported_value",
      };
    }
  }
  return undefined;
}

/**
 * Prompt-cache hits as the profile's server counts them: the common prefix with an earlier prompt
 * that began the same way, in whole blocks, from the minimum size up. `seen` maps a prompt's
 * first characters to the first full prompt that had them.
 */
export function cachedPromptTokens(profile: ServerProfile, seen: Map<string, string>, prompt: string, tokensOf: (text: string) => number): number {
  if (profile.cacheBlock === undefined) return 0;
  const key = prompt.slice(0, 256);
  const earlier = seen.get(key);
  if (earlier === undefined) {
    seen.set(key, prompt);
    return 0;
  }
  let common = 0;
  const limit = Math.min(earlier.length, prompt.length);
  while (common < limit && earlier.charCodeAt(common) === prompt.charCodeAt(common)) common++;
  const tokens = Math.min(tokensOf(prompt.slice(0, common)), tokensOf(prompt) - 1);
  if (tokens < (profile.cacheMinTokens ?? 0)) return 0;
  return Math.max(0, Math.floor(tokens / profile.cacheBlock) * profile.cacheBlock);
}
