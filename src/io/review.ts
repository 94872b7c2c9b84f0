/**
 * `review.jsonl`: a person's marks on records, one line per mark, appended as they are made by
 * `instructforge view`. The last mark of a record wins ("clear" takes a mark back). Read by
 * `filter --review` (drops records marked bad), the report and the dataset card.
 */
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { z } from "zod";
import { inputError } from "../errors.js";
import { writeError } from "./atomic.js";
import { writeAll } from "./writeAll.js";

export const REVIEW_FILE = "review.jsonl";

export const ReviewVerdict = z.enum(["good", "bad", "clear"]);
export type ReviewVerdict = z.infer<typeof ReviewVerdict>;

export const ReviewMark = z.object({
  /** recordId(record): the content hash, the same in every stage that keeps the record unchanged. */
  id: z.string().regex(/^[0-9a-f]{16}$/, "id must be a 16-digit hex record id"),
  verdict: ReviewVerdict,
  note: z.string().max(2000).optional(),
  /** The stage the record was looked at in (a pipeline directory's sub-directory name). */
  stage: z.string().optional(),
  at: z.string(),
});
export type ReviewMark = z.infer<typeof ReviewMark>;

/** The standing mark of each record (the last line for its id; "clear" removes it), in file order. */
export function readReviews(path: string): Map<string, ReviewMark> {
  const marks = new Map<string, ReviewMark>();
  if (!existsSync(path)) return marks;
  const lines = readFileSync(path, "utf8").split("\n");
  // A line cut short by a crash mid-append is the only damage tolerated: the mark was not saved.
  const last = lines.length - 1;
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (index === last) return;
      throw inputError(path, index + 1, "not a JSON line; review.jsonl holds one mark per line");
    }
    const parsed = ReviewMark.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw inputError(path, index + 1, `${issue.path.join(".") || "mark"}: ${issue.message}`);
    }
    marks.delete(parsed.data.id); // re-inserted last, so iteration order is the order of the standing marks
    if (parsed.data.verdict !== "clear") marks.set(parsed.data.id, parsed.data);
  });
  return marks;
}

export interface ReviewCounts {
  good: number;
  bad: number;
}

export function countReviews(marks: ReadonlyMap<string, ReviewMark>): ReviewCounts {
  let good = 0;
  let bad = 0;
  for (const mark of marks.values()) {
    if (mark.verdict === "good") good++;
    else if (mark.verdict === "bad") bad++;
  }
  return { good, bad };
}

/** Append one mark as one write, so a crash loses at most that mark and never tears an earlier one. */
export function appendReview(path: string, mark: ReviewMark): void {
  const line = `${JSON.stringify(ReviewMark.parse(mark))}\n`;
  let fd: number | undefined;
  try {
    fd = openSync(path, "a");
    writeAll(fd, Buffer.from(line, "utf8"));
  } catch (error) {
    throw writeError(path, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
