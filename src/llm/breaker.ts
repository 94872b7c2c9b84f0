/**
 * A circuit breaker per endpoint: after `threshold` failures in a row (connection refused or
 * reset, timeouts, 5xx) the endpoint is taken out for a cool-down; then one probe request is let
 * through (half-open). A probe that succeeds closes the breaker; one that fails opens it again
 * for twice as long (up to `maxCooldownMs`). State is computed from the clock when asked, so a
 * test drives it with a clock of its own.
 */

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerPolicy {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** First cool-down; doubles after each failed probe. */
  cooldownMs: number;
  maxCooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerPolicy = { threshold: 5, cooldownMs: 5_000, maxCooldownMs: 60_000 };

export type Clock = () => number;

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openUntil = 0;
  private cooldownMs: number;
  private probing = false;
  private opened = false;
  /** Times the breaker opened (a failed probe re-opening it counts too). */
  openings = 0;

  constructor(
    private readonly policy: BreakerPolicy = DEFAULT_BREAKER,
    private readonly now: Clock = () => performance.now(),
  ) {
    this.cooldownMs = policy.cooldownMs;
  }

  get state(): BreakerState {
    if (!this.opened) return "closed";
    return this.now() < this.openUntil ? "open" : "half-open";
  }

  /** Milliseconds until an open breaker lets a probe through (0 when it would now). */
  msUntilProbe(): number {
    return this.opened ? Math.max(0, this.openUntil - this.now()) : 0;
  }

  /**
   * Requests this endpoint may take now on top of those in flight: all of them when closed,
   * one probe when half-open and none is out, none when open.
   */
  admits(): "any" | "probe" | "none" {
    const state = this.state;
    if (state === "closed") return "any";
    if (state === "half-open" && !this.probing) return "probe";
    return "none";
  }

  /** The request about to be sent is the half-open probe. */
  startProbe(): void {
    this.probing = true;
  }

  /** Any success closes the breaker: the endpoint answers again. */
  success(wasProbe: boolean): void {
    this.consecutiveFailures = 0;
    if (wasProbe) this.probing = false;
    this.opened = false;
    this.cooldownMs = this.policy.cooldownMs;
  }

  /** A failed probe re-opens for longer; late failures of requests sent before opening change nothing. */
  failure(wasProbe: boolean): void {
    if (wasProbe) {
      this.probing = false;
      this.cooldownMs = Math.min(this.policy.maxCooldownMs, this.cooldownMs * 2);
      this.open();
      return;
    }
    if (this.opened) return;
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= this.policy.threshold) this.open();
  }

  /** A request that ended without saying anything about the endpoint's health (a 4xx, a 429). */
  neutral(wasProbe: boolean): void {
    if (wasProbe) this.probing = false;
  }

  private open(): void {
    this.opened = true;
    this.openings++;
    this.openUntil = this.now() + this.cooldownMs;
  }
}
