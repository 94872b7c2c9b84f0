/**
 * Fault injection for the simulator (a TEST DOUBLE, not a model). Two families:
 *  - per-ATTEMPT faults (429, 500, hang) are drawn from (seed, body hash, attempt number), so a
 *    client that retries the same body gets a fresh draw and can eventually succeed;
 *  - per-BODY faults (malformed, truncate) are drawn from (seed, body hash) only, so the same request
 *    always gets the same damaged reply — consistent with a cached or replayed run.
 */
import { z } from "zod";
import { createRng, deriveSeed, shuffled } from "./rng.js";
import type { Rng, SimReply } from "./types.js";

const Rate = z.number().min(0).max(1);

export const FaultRates = z
  .object({
    fail429: Rate.default(0),
    fail500: Rate.default(0),
    hang: Rate.default(0),
    malformed: Rate.default(0),
    truncate: Rate.default(0),
  })
  .refine((r) => r.fail429 + r.fail500 + r.hang <= 1, "fail-429 + fail-500 + hang must not exceed 1")
  .refine((r) => r.malformed + r.truncate <= 1, "malformed + truncate must not exceed 1");
export type FaultRates = z.infer<typeof FaultRates>;

export type AttemptFault = "429" | "500" | "hang";
export type BodyFault = "malformed" | "truncate";

/** One uniform draw split into disjoint bands, so the rates add up exactly as configured. */
function pickBand<T extends string>(draw: number, bands: ReadonlyArray<readonly [T, number]>): T | undefined {
  let upper = 0;
  for (const [name, rate] of bands) {
    upper += rate;
    if (draw < upper) return name;
  }
  return undefined;
}

export function decideAttemptFault(rates: FaultRates, seed: number, bodyHash: number, attempt: number): AttemptFault | undefined {
  const draw = createRng(deriveSeed(seed, bodyHash, attempt, "attempt-fault")).next();
  return pickBand<AttemptFault>(draw, [
    ["429", rates.fail429],
    ["500", rates.fail500],
    ["hang", rates.hang],
  ]);
}

export function decideBodyFault(rates: FaultRates, seed: number, bodyHash: number): BodyFault | undefined {
  const draw = createRng(deriveSeed(seed, bodyHash, "body-fault")).next();
  return pickBand<BodyFault>(draw, [
    ["malformed", rates.malformed],
    ["truncate", rates.truncate],
  ]);
}

/** Cut the text at 40–80% of its length, as a model stopped by max_tokens would be. */
export function truncateReply(reply: SimReply, rng: Rng): SimReply {
  const fraction = 0.4 + rng.next() * 0.4;
  const cut = Math.max(1, Math.floor(reply.text.length * fraction));
  return { text: reply.text.slice(0, cut), finishReason: "length" };
}

/**
 * Generic damage for `--malformed` when a handler has no specific one: the kinds of breakage
 * parsers must survive — lines shuffled, the reply cut mid-way, or noise spliced in.
 */
export function damageReply(reply: SimReply, rng: Rng): SimReply {
  const { text } = reply;
  const damage = rng.pick(["shuffle-lines", "cut", "garble"] as const);
  switch (damage) {
    case "shuffle-lines": {
      const lines = text.split("\n");
      if (lines.length > 2) return { text: shuffled(lines, rng).join("\n") };
      return { text: shuffled(text.split(" "), rng).join(" ") };
    }
    case "cut":
      return { text: text.slice(0, Math.floor(text.length * (0.1 + rng.next() * 0.3))) };
    case "garble":
      return { text: garble(text, rng) };
  }
}

const NOISE = ["@@", "\u0000", "}{", "###", "\uFFFD", "]]", "<|endoftext|>", "\\u00"];

function garble(text: string, rng: Rng): string {
  const pieces: string[] = [];
  const step = Math.max(8, Math.floor(text.length / 6));
  for (let i = 0; i < text.length; i += step) {
    pieces.push(text.slice(i, i + step));
    if (rng.chance(0.5)) pieces.push(rng.pick(NOISE));
  }
  return pieces.join("");
}
