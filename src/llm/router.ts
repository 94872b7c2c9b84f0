/**
 * Spreads HTTP attempts over several endpoints serving one model. Each attempt goes to the
 * endpoint with the most free capacity: the larger share of its concurrency free (then more free
 * slots, then the earlier in the list), among those whose rpm/tpm budget allows a request now.
 * When none can take it, the attempt waits in line until a slot frees, a budget refills or a
 * breaker lets a probe through.
 *
 * An endpoint that keeps failing (connection refused or reset, timeouts, 5xx) is taken out by its
 * circuit breaker (`breaker.ts`) and its work goes to the others. When every endpoint's breaker is
 * open, they are all used again as if closed, so the client's retries and back-off decide, as they
 * do with a single endpoint: the breaker only ever diverts work, it never strands it.
 *
 * With one endpoint this is exactly a concurrency cap plus the rate limiter (no breaker).
 */
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerPolicy, type BreakerState, type Clock } from "./breaker.js";
import type { EndpointSettings } from "./endpoints.js";
import { RateLimiter } from "./limiter.js";
import type { AttemptFailure, RetryCause } from "./retry.js";
import { createChatTransport, type ChatTransport } from "./transport.js";
import type { TokenUsage } from "./types.js";

/** Per-endpoint figures, in the LLM totals of the manifest. */
export interface EndpointTotals {
  baseUrl: string;
  model: string;
  concurrency: number;
  /** HTTP attempts sent to this endpoint. */
  requests: number;
  /** Attempts that returned a chat completion. */
  replies: number;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens the provider served from its prompt cache (`usage.prompt_tokens_details.cached_tokens`). */
  providerCachedPromptTokens: number;
  /** Failed attempts (retried elsewhere or later, or given up on). */
  errors: number;
  errorsByCause: Record<string, number>;
  /** Times its circuit breaker opened. */
  breakerOpenings: number;
  breaker: BreakerState;
}

export interface EndpointLease {
  readonly index: number;
  readonly endpoint: EndpointSettings;
  readonly transport: ChatTransport;
  /** This attempt is the half-open probe of its endpoint. */
  readonly probe: boolean;
}

export type AttemptOutcome = { ok: true; usage: TokenUsage } | { ok: false; failure: AttemptFailure };

export interface RouterOptions {
  /** Breaker policy for several endpoints (a single endpoint has none). */
  breaker?: Partial<BreakerPolicy>;
  /** The breakers' clock; tests pass their own. */
  clock?: Clock;
  /** One transport for every endpoint instead of HTTP to each (batch mode's wave queue). */
  transport?: ChatTransport;
}

/** Failures that say the endpoint itself is unwell; 429 means busy, a 4xx means our request. */
const HEALTH_CAUSES: ReadonlySet<RetryCause> = new Set(["connection", "timeout", "5xx"]);

export function isEndpointFault(failure: AttemptFailure): boolean {
  return failure.retryable && HEALTH_CAUSES.has(failure.cause);
}

interface EndpointState {
  readonly settings: EndpointSettings;
  readonly transport: ChatTransport;
  readonly limiter: RateLimiter;
  readonly breaker: CircuitBreaker | undefined;
  inFlight: number;
  totals: Omit<EndpointTotals, "baseUrl" | "model" | "concurrency" | "breakerOpenings" | "breaker">;
}

interface Waiter {
  estimate: number;
  avoid: ReadonlySet<number>;
  resolve: (lease: EndpointLease) => void;
}

export class EndpointRouter {
  private readonly states: EndpointState[];
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(endpoints: readonly EndpointSettings[], options: RouterOptions = {}) {
    if (endpoints.length === 0) throw new Error("EndpointRouter needs at least one endpoint");
    const policy: BreakerPolicy = { ...DEFAULT_BREAKER, ...options.breaker };
    this.states = endpoints.map((settings) => ({
      settings,
      transport: options.transport ?? createChatTransport({ baseUrl: settings.baseUrl, apiKey: settings.apiKey }),
      limiter: new RateLimiter({ rpm: settings.rpm, tpm: settings.tpm }),
      breaker: endpoints.length > 1 ? new CircuitBreaker(policy, options.clock) : undefined,
      inFlight: 0,
      totals: { requests: 0, replies: 0, promptTokens: 0, completionTokens: 0, providerCachedPromptTokens: 0, errors: 0, errorsByCause: {} },
    }));
  }

  get size(): number {
    return this.states.length;
  }

  /** Requests in flight at once over all endpoints. */
  get totalConcurrency(): number {
    return this.states.reduce((sum, s) => sum + s.settings.concurrency, 0);
  }

  /** A slot on the best endpoint for one attempt; `avoid` are endpoints this request just failed on. */
  acquire(estimatedTokens: number, avoid: ReadonlySet<number> = new Set()): Promise<EndpointLease> {
    return new Promise((resolve) => {
      this.queue.push({ estimate: estimatedTokens, avoid, resolve });
      this.pump();
    });
  }

  /** After the attempt: frees the slot, settles the rate budget, feeds the breaker. */
  release(lease: EndpointLease, estimatedTokens: number, outcome: AttemptOutcome): void {
    const state = this.states[lease.index] as EndpointState;
    state.inFlight--;
    if (outcome.ok) {
      const { usage } = outcome;
      state.limiter.settle(estimatedTokens, usage.promptTokens + usage.completionTokens);
      state.breaker?.success(lease.probe);
      state.totals.replies++;
      state.totals.promptTokens += usage.promptTokens;
      state.totals.completionTokens += usage.completionTokens;
      state.totals.providerCachedPromptTokens += usage.providerCachedPromptTokens ?? 0;
    } else {
      const { failure } = outcome;
      // Refused connections and 429s were not processed: their token estimate goes back.
      const nothingProcessed = failure.retryable && (failure.cause === "429" || failure.cause === "connection");
      state.limiter.settle(estimatedTokens, nothingProcessed ? 0 : estimatedTokens);
      if (isEndpointFault(failure)) state.breaker?.failure(lease.probe);
      else state.breaker?.neutral(lease.probe);
      state.totals.errors++;
      const cause = failure.retryable ? failure.cause : "rejected";
      state.totals.errorsByCause[cause] = (state.totals.errorsByCause[cause] ?? 0) + 1;
    }
    this.pump();
  }

  /** Is there an endpoint outside `avoid` that could take this request (now or once a slot frees)? */
  hasAlternative(avoid: ReadonlySet<number>): boolean {
    return this.candidates().some((index) => !avoid.has(index));
  }

  totals(): EndpointTotals[] {
    return this.states.map((s) => ({
      baseUrl: s.settings.baseUrl,
      model: s.settings.model,
      concurrency: s.settings.concurrency,
      ...s.totals,
      errorsByCause: { ...s.totals.errorsByCause },
      breakerOpenings: s.breaker?.openings ?? 0,
      breaker: s.breaker?.state ?? "closed",
    }));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const state of this.states) state.transport.close();
  }

  /** Endpoints whose breaker lets requests through; all of them when every breaker is open. */
  private candidates(): number[] {
    const usable = this.states.flatMap((s, index) => (!s.breaker || s.breaker.admits() !== "none" ? [index] : []));
    return usable.length > 0 ? usable : this.states.map((_, index) => index);
  }

  /** Free slots an endpoint offers now: a half-open one offers its single probe. */
  private freeSlots(state: EndpointState, allOpen: boolean): { free: number; probe: boolean } {
    const admits = allOpen || !state.breaker ? "any" : state.breaker.admits();
    if (admits === "probe") return { free: state.inFlight === 0 ? 1 : 0, probe: true };
    if (admits === "none") return { free: 0, probe: false };
    return { free: state.settings.concurrency - state.inFlight, probe: false };
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let wakeInMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i] as Waiter;
      const choice = this.choose(waiter);
      if ("lease" in choice) {
        this.queue.splice(i, 1);
        waiter.resolve(choice.lease);
      } else {
        wakeInMs = Math.min(wakeInMs, choice.retryInMs);
        i++;
      }
    }
    // Slots freed by `release` wake the line by themselves; rate budgets and breaker cool-downs need a timer.
    if (this.queue.length > 0 && Number.isFinite(wakeInMs)) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(1, wakeInMs));
    }
  }

  private choose(waiter: Waiter): { lease: EndpointLease } | { retryInMs: number } {
    const candidates = this.candidates();
    const allOpen = this.states.every((s) => s.breaker && s.breaker.admits() === "none");
    const preferred = candidates.filter((index) => !waiter.avoid.has(index));
    const pool = preferred.length > 0 ? preferred : candidates;

    let best: { index: number; share: number; free: number; probe: boolean } | undefined;
    let retryInMs = Number.POSITIVE_INFINITY;
    for (const index of pool) {
      const state = this.states[index] as EndpointState;
      const { free, probe } = this.freeSlots(state, allOpen);
      if (free <= 0) continue;
      const wait = state.limiter.msUntil(waiter.estimate);
      if (wait > 0) {
        retryInMs = Math.min(retryInMs, wait);
        continue;
      }
      // A half-open endpoint's probe goes first: until it is sent, that endpoint's capacity is lost.
      const share = probe ? 2 : free / state.settings.concurrency;
      if (!best || share > best.share || (share === best.share && free > best.free)) best = { index, share, free, probe };
    }
    // A breaker that is open now lets a probe through later: wake up for it.
    for (const state of this.states) {
      if (state.breaker && state.breaker.state === "open") retryInMs = Math.min(retryInMs, state.breaker.msUntilProbe());
    }
    if (!best) return { retryInMs };

    const state = this.states[best.index] as EndpointState;
    state.limiter.tryAcquire(waiter.estimate);
    state.inFlight++;
    state.totals.requests++;
    if (best.probe) state.breaker?.startProbe();
    return { lease: { index: best.index, endpoint: state.settings, transport: state.transport, probe: best.probe } };
  }
}
