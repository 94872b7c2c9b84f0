/**
 * The simulator is a TEST DOUBLE for an OpenAI-compatible server, never a model.
 * Each kind of request the pipeline sends (generate tasks, evolve, judge, answer, translate …)
 * is answered by one handler in `src/simulator/handlers/`. The server core picks the first
 * handler whose `matches` is true (handlers are tried in the order of `handlers/index.ts`),
 * and the catch-all `answer` handler last.
 */
import type { ChatMessage } from "../llm/types.js";

/** The PRNG handed to handlers (same request + same seed → same reply) lives with the other pure helpers. */
import type { Rng } from "../text/rng.js";
export type { Rng };

export interface SimRequest {
  model: string;
  messages: ChatMessage[];
  /** The last user message, the usual carrier of the prompt. */
  prompt: string;
  temperature?: number;
  maxTokens?: number;
  json: boolean;
}

/** Planted-content knobs, set by `instructforge simulate` flags; each handler reads the ones it knows. */
export type SimKnobs = Record<string, number>;

export interface SimReply {
  text: string;
  /** Defaults to "stop". */
  finishReason?: "stop" | "length";
}

export interface SimHandler {
  /** Short name, used in the simulator's stats (`/sim/stats` → requestsByKind). */
  kind: string;
  matches(request: SimRequest): boolean;
  respond(request: SimRequest, rng: Rng, knobs: SimKnobs): SimReply;
  /** A damaged reply for `--malformed`; the server has a generic fallback. */
  malformed?(request: SimRequest, rng: Rng): SimReply;
}
