/**
 * What goes on the wire for one `ChatRequest`, shaped for the endpoint at hand and adapted as the
 * endpoint tells us what it refuses:
 *
 * - reasoning models (OpenAI's o-series and gpt-5 family) take `max_completion_tokens` instead of
 *   `max_tokens` and only their default sampling: known names start that way, and any other model
 *   that answers HTTP 400 `unsupported_parameter` / `unsupported_value` naming one of those
 *   parameters is switched over once, for the rest of the run;
 * - JSON replies are asked for the strongest way the endpoint accepts: `json_schema`, then
 *   `json_object`, then only the prompt's own instruction (llama.cpp's server can refuse a schema
 *   with HTTP 400 "Failed to initialize samplers"). A server that ignores `response_format` needs
 *   no adapting: `structured.ts` reads the JSON out of plain text;
 * - `max_tokens` is lowered so that prompt + reply fit the context the endpoint reported; a
 *   refusal that states the context and the prompt's real size (vLLM's "maximum context length
 *   is N tokens … (P in the messages, C in the completion)") teaches both, since our estimate of
 *   4 characters a token is far off for Chinese.
 *
 * Every adaptation is described in one line, kept for the manifest.
 */
import { APIError } from "openai";
import { estimateTokens } from "./limiter.js";
import type { ChatRequest } from "./types.js";

/** The body we POST; fields left undefined are dropped by JSON.stringify. */
export interface ChatBody {
  model: string;
  messages: ChatRequest["messages"];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string[];
  response_format?: { type: "json_object" } | { type: "json_schema"; json_schema: { name: string; schema: Record<string, unknown>; strict: boolean } };
  seed?: number;
}

/** Sampling parameters a reasoning model may refuse; they are left out rather than sent. */
const DROPPABLE = ["temperature", "top_p", "stop", "seed"] as const;
type Droppable = (typeof DROPPABLE)[number];

/** The JSON modes, strongest first. */
const JSON_MODES = ["json_schema", "json_object", "instruction"] as const;
type JsonMode = (typeof JSON_MODES)[number];

/**
 * OpenAI's reasoning models: o1, o3, o4-mini … and the gpt-5 family (its chat variant included:
 * when one of them does accept sampling, leaving the default is harmless).
 */
export function isKnownReasoningModel(model: string): boolean {
  return /^(o\d+(?:-|$)|gpt-5(?:[.-]|$))/.test(model);
}

/** Room left for the prompt's tokenizer being less kind than our estimate (4 characters a token). */
const CONTEXT_MARGIN = 0.1;
/** Prompts shorter than this (estimated tokens) are too small to tell truncation from tokenizer noise. */
const MIN_TRUNCATION_EVIDENCE = 256;
/** Never fit a reply below this: a server then says clearly that the prompt alone is too long. */
const MIN_FITTED_TOKENS = 16;

export interface RequestShaperOptions {
  model: string;
  /** Tokens one request may use, prompt and reply together (from `/v1/models`). */
  contextTokens?: number;
  /** Told once, the first time a request's max_tokens is lowered to fit the context. */
  onContextFit?: (message: string) => void;
}

export class RequestShaper {
  private maxTokensField: "max_tokens" | "max_completion_tokens";
  private readonly dropped = new Set<Droppable>();
  private jsonMode: JsonMode = "json_schema";
  private contextTokens: number | undefined;
  /** Real prompt tokens per estimated one, as refusals showed (never below 1). */
  private promptTokenRatio = 1;
  private readonly learned: string[] = [];
  private fitWarned = false;
  private truncationWarned = false;

  constructor(private readonly options: RequestShaperOptions) {
    this.contextTokens = options.contextTokens;
    const reasoning = isKnownReasoningModel(options.model);
    this.maxTokensField = reasoning ? "max_completion_tokens" : "max_tokens";
    if (reasoning) {
      this.dropped.add("temperature");
      this.dropped.add("top_p");
    }
  }

  /** What was adapted during the run, one line each (for the manifest). */
  adaptations(): string[] {
    return [...this.learned];
  }

  body(request: ChatRequest, seed: number | undefined): ChatBody {
    const keep = <T>(name: Droppable, value: T): T | undefined => (this.dropped.has(name) ? undefined : value);
    const maxTokens = this.fittedMaxTokens(request);
    return {
      model: this.options.model,
      messages: request.messages,
      temperature: keep("temperature", request.temperature),
      top_p: keep("top_p", request.top_p),
      [this.maxTokensField]: maxTokens,
      stop: keep("stop", request.stop),
      response_format: this.responseFormat(request),
      seed: keep("seed", seed),
    };
  }

  /**
   * Learn from a rejected request: true when the request can go again in a changed shape. Each
   * change is made once; a request refused for what another one already taught us (requests run
   * concurrently) just goes again. A rejection we cannot act on returns false and stays an error.
   */
  adapt(error: unknown, sent: ChatBody): boolean {
    const rejection = readRejection(error);
    if (!rejection) return false;
    const { param, code, message } = rejection;
    const named = param ?? /'([a-z_]+)'/.exec(message)?.[1];
    if (named === "max_tokens" && sent.max_tokens !== undefined && (code === "unsupported_parameter" || message.includes("max_completion_tokens"))) {
      if (this.maxTokensField === "max_completion_tokens") return true;
      this.maxTokensField = "max_completion_tokens";
      return this.note(`max_tokens refused (${code ?? "HTTP 400"}): sending max_completion_tokens`);
    }
    if (isDroppable(named) && sent[named] !== undefined && (code === "unsupported_parameter" || code === "unsupported_value")) {
      if (this.dropped.has(named)) return true;
      this.dropped.add(named);
      return this.note(`${named} refused (${code}): left out`);
    }
    const overflow = CONTEXT_OVERFLOW.exec(message);
    if (overflow) return this.learnContext(Number(overflow[1]), Number(overflow[2]), sent);
    if (sent.response_format && mentionsJsonMode(param, message)) {
      const sentMode: JsonMode = sent.response_format.type;
      if (JSON_MODES.indexOf(this.jsonMode) > JSON_MODES.indexOf(sentMode)) return true;
      const weaker = JSON_MODES[JSON_MODES.indexOf(sentMode) + 1];
      if (!weaker) return false;
      this.jsonMode = weaker;
      const fallback = weaker === "instruction" ? "asking in the prompt only" : `using ${weaker}`;
      return this.note(`response_format ${sentMode} refused (HTTP 400: ${message.slice(0, 80)}): ${fallback}`);
    }
    return false;
  }

  /**
   * A server that truncates an over-long prompt silently (Ollama answers 200) shows it only in
   * `usage.prompt_tokens`: far fewer than sent. The warning to give, the first time it shows.
   */
  truncationWarning(request: ChatRequest, reportedPromptTokens: number): string | undefined {
    const estimated = estimateTokens(request.messages, 0);
    if (this.truncationWarned || estimated < MIN_TRUNCATION_EVIDENCE || reportedPromptTokens >= estimated * 0.5) return undefined;
    this.truncationWarned = true;
    return (
      `the endpoint reports ${reportedPromptTokens} prompt tokens for a prompt of about ${estimated}: it seems to cut prompts to fit a small context ` +
      "(Ollama does so silently; raise OLLAMA_CONTEXT_LENGTH or the model's num_ctx)"
    );
  }

  /**
   * From a refusal naming the context and the prompt's real size. True when the request, fitted
   * with what is known now, asks for fewer reply tokens than it did (so each retry asks for less,
   * and requests refused concurrently go again with what the first one taught).
   */
  private learnContext(context: number, promptTokens: number, sent: ChatBody): boolean {
    const estimated = estimateTokens(sent.messages, 0);
    const ratio = estimated > 0 ? promptTokens / estimated : 1;
    const learnedContext = this.contextTokens !== context;
    const learnedRatio = ratio > this.promptTokenRatio * 1.05;
    if (learnedContext || learnedRatio) {
      this.contextTokens = context;
      if (learnedRatio) this.promptTokenRatio = ratio;
      this.note(`request over the ${context}-token context refused (prompt ${promptTokens} tokens, ~${ratio.toFixed(2)}× our estimate): max_tokens fitted to it`);
    }
    const sentMaxTokens = sent.max_tokens ?? sent.max_completion_tokens;
    return sentMaxTokens !== undefined && this.roomFor(sent.messages) < sentMaxTokens;
  }

  /** Reply tokens that fit beside these messages in the known context (at least MIN_FITTED_TOKENS). */
  private roomFor(messages: ChatRequest["messages"]): number {
    const promptTokens = Math.ceil(estimateTokens(messages, 0) * this.promptTokenRatio);
    return Math.max(MIN_FITTED_TOKENS, Math.floor((this.contextTokens ?? Infinity) * (1 - CONTEXT_MARGIN)) - promptTokens);
  }

  private note(line: string): true {
    this.learned.push(line);
    return true;
  }

  private responseFormat(request: ChatRequest): ChatBody["response_format"] {
    if (request.jsonSchema && this.jsonMode === "json_schema") {
      return { type: "json_schema", json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: false } };
    }
    const wantsJson = request.json === true || request.jsonSchema !== undefined;
    return wantsJson && this.jsonMode !== "instruction" ? { type: "json_object" } : undefined;
  }

  private fittedMaxTokens(request: ChatRequest): number | undefined {
    const asked = request.max_tokens;
    if (asked === undefined || this.contextTokens === undefined) return asked;
    const fitted = this.roomFor(request.messages);
    if (asked <= fitted) return asked;
    if (!this.fitWarned) {
      this.fitWarned = true;
      const promptTokens = Math.ceil(estimateTokens(request.messages, 0) * this.promptTokenRatio);
      this.options.onContextFit?.(
        `max_tokens ${asked} lowered to ${fitted} so that prompt (~${promptTokens} tokens) and reply fit the endpoint's ${this.contextTokens}-token context; ` +
          "later requests are fitted the same way without another warning",
      );
    }
    return fitted;
  }
}

interface Rejection {
  status: number;
  param?: string;
  code?: string;
  message: string;
}

/** An HTTP 400 with the fields OpenAI-style servers put in `error` (param, code, message). */
function readRejection(error: unknown): Rejection | undefined {
  if (!(error instanceof APIError) || error.status !== 400) return undefined;
  const body = typeof error.error === "object" && error.error !== null ? (error.error as Record<string, unknown>) : {};
  const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
  return {
    status: error.status,
    param: text(body.param) ?? text(error.param),
    code: text(body.code) ?? text(error.code) ?? text(body.type),
    message: text(body.message) ?? error.message,
  };
}

function isDroppable(name: string | undefined): name is Droppable {
  return (DROPPABLE as readonly (string | undefined)[]).includes(name);
}

/** vLLM's refusal of a request over the context: the context, then the prompt's real token count. */
const CONTEXT_OVERFLOW = /maximum context length is (\d+) tokens\. However, you requested \d+ tokens \((\d+) in the messages/;

/** A 400 that blames the JSON mode: by parameter, or by the words servers use for it. */
function mentionsJsonMode(param: string | undefined, message: string): boolean {
  if (param !== undefined) return param.startsWith("response_format");
  return /response_format|json_schema|json_object|sampler|grammar|guided|structured output/i.test(message);
}
