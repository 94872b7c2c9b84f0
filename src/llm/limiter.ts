/**
 * Requests-per-minute and tokens-per-minute limits as smooth token buckets. A bucket holds at
 * most a fifth of a second's worth of allowance (at least one unit), so a run never starts with a
 * minute's burst: rpm=600 sends ~10 requests a second from the first second on.
 */

type Clock = () => number;

interface Waiter {
  amount: number;
  resolve: () => void;
}

/** Seconds of allowance a bucket may bank: small, so the rate holds over short windows too. */
const BURST_SECONDS = 0.2;

export class TokenBucket {
  private level: number;
  private lastRefill: number;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly perSecond: number,
    readonly capacity: number = Math.max(1, perSecond * BURST_SECONDS),
    private readonly now: Clock = () => performance.now(),
  ) {
    this.level = capacity;
    this.lastRefill = now();
  }

  /** Per-minute limit → bucket. */
  static perMinute(limit: number, capacity?: number): TokenBucket {
    return new TokenBucket(limit / 60, capacity);
  }

  /**
   * Wait until `amount` can be taken, then take it (FIFO, so big requests are not starved). An
   * amount above the capacity waits for a full bucket and leaves the level negative: the debt
   * delays the next callers, which keeps the long-run rate right.
   */
  acquire(amount: number): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ amount, resolve });
      this.pump();
    });
  }

  /** Give back (positive) or take extra (negative), e.g. after real token usage is known. */
  adjust(delta: number): void {
    this.refill();
    this.level = Math.min(this.capacity, this.level + delta);
    this.pump();
  }

  /**
   * For callers that keep their own queue (the endpoint router): take `amount` now, after
   * `msUntil` said 0. Same debt rule as `acquire`.
   */
  take(amount: number): void {
    this.refill();
    this.level -= amount;
  }

  /** Milliseconds until `amount` could be taken (0: now), taking nothing. */
  msUntil(amount: number): number {
    this.refill();
    const needed = Math.min(amount, this.capacity);
    return this.level >= needed ? 0 : Math.max(1, Math.ceil(((needed - this.level) / this.perSecond) * 1000));
  }

  private refill(): void {
    const now = this.now();
    this.level = Math.min(this.capacity, this.level + ((now - this.lastRefill) / 1000) * this.perSecond);
    this.lastRefill = now;
  }

  private pump(): void {
    this.refill();
    while (this.queue.length > 0) {
      const head = this.queue[0] as Waiter;
      const needed = Math.min(head.amount, this.capacity);
      if (this.level < needed) {
        this.schedule(needed - this.level);
        return;
      }
      this.level -= head.amount;
      this.queue.shift();
      head.resolve();
    }
  }

  private schedule(shortfall: number): void {
    if (this.timer) return;
    const waitMs = Math.max(1, Math.ceil((shortfall / this.perSecond) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, waitMs);
  }
}

/** Both limits together; either may be absent. */
export class RateLimiter {
  private readonly requests: TokenBucket | undefined;
  private readonly tokens: TokenBucket | undefined;

  constructor(limits: { rpm?: number; tpm?: number }) {
    this.requests = limits.rpm ? TokenBucket.perMinute(limits.rpm) : undefined;
    // A token bucket must hold a typical request whole; a second's worth is rarely enough.
    this.tokens = limits.tpm ? TokenBucket.perMinute(limits.tpm, Math.max(1, limits.tpm / 6)) : undefined;
  }

  /** Before each HTTP attempt: tokens first, then the request slot, so sends stay ≤ rpm. */
  async acquire(estimatedTokens: number): Promise<void> {
    await this.tokens?.acquire(estimatedTokens);
    await this.requests?.acquire(1);
  }

  /**
   * Non-blocking: take the tokens and the request slot together if both are there now and return
   * 0, else take nothing and return the milliseconds until they could be.
   */
  tryAcquire(estimatedTokens: number): number {
    const wait = this.msUntil(estimatedTokens);
    if (wait > 0) return wait;
    this.tokens?.take(estimatedTokens);
    this.requests?.take(1);
    return 0;
  }

  /** Milliseconds until a request of this size could be sent (0: now), taking nothing. */
  msUntil(estimatedTokens: number): number {
    return Math.max(this.tokens?.msUntil(estimatedTokens) ?? 0, this.requests?.msUntil(1) ?? 0);
  }

  /** After the attempt: replace the estimate by what was really used (0 when nothing was processed). */
  settle(estimatedTokens: number, actualTokens: number): void {
    this.tokens?.adjust(estimatedTokens - actualTokens);
  }
}

/** Completion allowance assumed when a request sets no max_tokens. */
const DEFAULT_COMPLETION_ESTIMATE = 512;

/** The pre-call estimate: ~4 characters a token for the messages, plus the completion allowance. */
export function estimateTokens(messages: ReadonlyArray<{ content: string }>, maxTokens: number | undefined): number {
  const chars = messages.reduce((sum, m) => sum + m.content.length, 0);
  return Math.ceil(chars / 4) + (maxTokens ?? DEFAULT_COMPLETION_ESTIMATE);
}
