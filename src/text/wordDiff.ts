/**
 * A word diff between two texts (an instruction and its evolution): the longest common
 * subsequence of their words, reported as runs of kept, added and removed words. Whitespace
 * stays attached to the word before it and words compare without it, so joining the `same` and
 * `added` parts gives back the new text exactly. Chinese has no spaces: each Han/Kana
 * character is a word of its own, so a changed phrase shows as changed characters.
 */

export type DiffPart = { op: "same" | "added" | "removed"; text: string };

const WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]\s*|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+\s*|\s+/gu;

/** Beyond this many words on both sides the table would be large: the diff says "all replaced". */
const MAX_CELLS = 4_000_000;

export function wordDiff(before: string, after: string): DiffPart[] {
  const a = before.match(WORD) ?? [];
  const b = after.match(WORD) ?? [];
  if (a.length * b.length > MAX_CELLS) return merge([...(before ? [{ op: "removed" as const, text: before }] : []), ...(after ? [{ op: "added" as const, text: after }] : [])]);
  // lcs[i][j]: LCS length of a[i..] and b[j..], in one flat array; words compare without their trailing space.
  const width = b.length + 1;
  const lcs = new Int32Array((a.length + 1) * width);
  const key = (word: string): string => word.trimEnd();
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = key(a[i]!) === key(b[j]!) ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const parts: DiffPart[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (key(a[i]!) === key(b[j]!)) {
      parts.push({ op: "same", text: b[j]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) parts.push({ op: "removed", text: a[i++]! });
    else parts.push({ op: "added", text: b[j++]! });
  }
  while (i < a.length) parts.push({ op: "removed", text: a[i++]! });
  while (j < b.length) parts.push({ op: "added", text: b[j++]! });
  return merge(parts);
}

/** Neighbouring parts of the same kind as one. */
function merge(parts: readonly DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (last && last.op === part.op) last.text += part.text;
    else out.push({ ...part });
  }
  return out;
}
