/**
 * A run's fingerprint: what decides the work a stage directory holds — the stage, the options that
 * define the work, the content of every file it reads (input, seeds, prompts, blacklist) and the
 * model. A directory is only resumed by a run with the same fingerprint; anything else would mix
 * two runs' records under one manifest. Options that only say how much or where (`num`, `out`,
 * concurrency) are left out by the stage, so "generate more" still resumes.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { z } from "zod";
import { UserError } from "../errors.js";

export const Fingerprint = z.object({
  /** sha256 (first 16 hex digits) of `parts` serialised with sorted keys. */
  hash: z.string(),
  parts: z.record(z.string(), z.unknown()),
});
export type Fingerprint = z.infer<typeof Fingerprint>;

export interface FingerprintInput {
  stage: string;
  /** Work-defining options, as plain JSON values. */
  options: Record<string, unknown>;
  /** Files whose content defines the work, by name (`input`, `seeds`, `prompt` …); undefined = not used. */
  files?: Record<string, string | undefined>;
  model?: string;
}

export function computeFingerprint(input: FingerprintInput): Fingerprint {
  const files: Record<string, string> = {};
  for (const [name, path] of Object.entries(input.files ?? {})) if (path !== undefined) files[name] = digestFile(path);
  const parts: Record<string, unknown> = { stage: input.stage, ...input.options, ...prefixed(files), model: input.model ?? null };
  return { hash: createHash("sha256").update(stableJson(parts)).digest("hex").slice(0, 16), parts };
}

/** File digests sit beside the options under `file:<name>`, so an option and a file never collide. */
function prefixed(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([name, digest]) => [`file:${name}`, digest]));
}

/** The parts (by name) whose values differ, in a stable order. */
export function differingParts(earlier: Fingerprint, now: Fingerprint): string[] {
  const names = new Set([...Object.keys(earlier.parts), ...Object.keys(now.parts)]);
  return [...names].filter((name) => stableJson(earlier.parts[name]) !== stableJson(now.parts[name])).sort();
}

/** "seed: was 1, now 999; file:input: was sha256:ab…, now sha256:cd…" */
export function describeDifferences(earlier: Fingerprint, now: Fingerprint, names: readonly string[]): string {
  return names.map((name) => `${name}: was ${show(earlier.parts[name])}, now ${show(now.parts[name])}`).join("; ");
}

function show(value: unknown): string {
  return value === undefined ? "(not set)" : JSON.stringify(value);
}

/** JSON with object keys sorted at every level: equal values always serialise equally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  ) ?? "null";
}

const CHUNK = 1 << 20;

/** `sha256:<16 hex>` of a file's bytes, read in chunks (inputs can be gigabytes). */
export function digestFile(path: string): string {
  const hash = createHash("sha256");
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new UserError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}
