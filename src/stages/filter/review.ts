/**
 * `filter --review FILE`: records a person marked bad in `instructforge view` (review.jsonl) are
 * dropped as `reviewed_bad`, before any rule runs, with the mark as evidence. Marks are matched by
 * record id (the content hash), so a mark made in any stage that kept the record unchanged applies.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../../errors.js";
import { readReviews, type ReviewMark } from "../../io/review.js";

export const REVIEWED_BAD = "reviewed_bad";

export interface ReviewedBad {
  path: string;
  marks: ReadonlyMap<string, ReviewMark>;
}

/** The standing "bad" marks of a review file; undefined without --review. */
export function readReviewedBad(path: string | undefined): ReviewedBad | undefined {
  if (path === undefined) return undefined;
  if (!existsSync(path)) throw new UserError(`--review ${path}: no such file (instructforge view writes review.jsonl in the directory it shows)`, 2);
  const bad = new Map([...readReviews(path)].filter(([, mark]) => mark.verdict === "bad"));
  return { path: resolve(path), marks: bad };
}

/** The rejection of a record marked bad, or undefined. */
export function reviewFailure(review: ReviewedBad | undefined, id: string): { rule: string; evidence: Record<string, unknown> } | undefined {
  const mark = review?.marks.get(id);
  if (!mark) return undefined;
  return { rule: REVIEWED_BAD, evidence: { review: review!.path, id, at: mark.at, ...(mark.note ? { note: mark.note } : {}), ...(mark.stage ? { reviewedIn: mark.stage } : {}) } };
}

/** For the stage config: a changed review file changes the output, so a resume must notice it. */
export function reviewFingerprint(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  return { review: { file: resolve(path), sha256: createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 16) } };
}
