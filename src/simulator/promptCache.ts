/**
 * The SIMULATOR's (test double's) model of a provider prompt cache, as OpenAI documents its own:
 * automatic for prompts of 1,024 tokens or more, matched on the longest previously seen prefix
 * in steps of 128 tokens, reported as `usage.prompt_tokens_details.cached_tokens`. Tokens are the
 * simulator's 4 characters each, so the steps are 4,096 characters, then 512 more at a time.
 *
 * Only a prefix seen before counts: a prompt whose per-request part comes first never hits,
 * which is what lets tests check that prompts keep their fixed part first.
 */
import { createHash, type Hash } from "node:crypto";

const CHARS_PER_TOKEN = 4;
const MIN_TOKENS = 1024;
const STEP_TOKENS = 128;
/** Remembered prefixes; the cache forgets everything past this (a long-running simulator stays small). */
const MAX_ENTRIES = 200_000;

export class SimPromptCache {
  private readonly seen = new Set<string>();

  /**
   * Cached tokens for this prompt (0 below the minimum or on a miss), then remembers its prefixes.
   * `text` is the request's messages serialised in order; `scope` keeps models apart.
   */
  lookupAndRemember(scope: string, text: string): number {
    const minChars = MIN_TOKENS * CHARS_PER_TOKEN;
    if (text.length < minChars) return 0;
    const stepChars = STEP_TOKENS * CHARS_PER_TOKEN;
    const hash: Hash = createHash("sha1").update(scope).update("\u0000");
    let cachedChars = 0;
    let stillHitting = true;
    let offset = 0;
    for (let end = minChars; end <= text.length; end += stepChars) {
      hash.update(text.slice(offset, end));
      offset = end;
      const key = hash.copy().digest("base64");
      if (stillHitting && this.seen.has(key)) cachedChars = end;
      else stillHitting = false;
      if (this.seen.size >= MAX_ENTRIES) this.seen.clear();
      this.seen.add(key);
    }
    return cachedChars / CHARS_PER_TOKEN;
  }

  clear(): void {
    this.seen.clear();
  }
}

/** The text a prompt cache keys on: every message's role and content, in order. */
export function promptCacheText(messages: ReadonlyArray<{ role: string; content: string }>): string {
  return messages.map((m) => `${m.role}\u0000${m.content}\u0000`).join("");
}
