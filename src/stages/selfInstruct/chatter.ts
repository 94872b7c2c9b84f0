/**
 * What chat models write around a task list that is not part of any task: intros ("Sure! Here
 * are 17 more tasks:"), sign-offs ("I hope these tasks are helpful!"), and remarks about the list
 * itself. Pure predicates over one paragraph's first line; the parser decides where to apply them
 * (only at the edges of a field, never inside a code block).
 *
 * The patterns talk about the list, the tasks or the reader's next request, so an output that
 * ends "I look forward to hearing from you." (a letter) is never taken for chatter.
 */

/** Markdown decoration and emoji a model puts in front of a remark. */
const DECORATION = /^[\s*_#>~`\-–—•🙂😊👍✨🎉]+/u;

const CLOSING: readonly RegExp[] = [
  /^(?:i |we )?hope (?:this|these|that|the above|it|you)\b/i,
  /^(?:please )?(?:let me know|tell me)\b/i,
  /^feel free\b/i,
  /^if you(?:'d| would)? (?:like|need|want|have|require)\b.*\b(?:more|other|additional|further|different|changes?|modifications?|adjustments?|questions?|help|variations?|tasks?)\b/i,
  /^would you like\b/i,
  /^(?:these|the above|this (?:set|list) of|all of these|each of these) (?:\d+ )?(?:new |additional |diverse |varied )?(?:tasks?|instructions?|examples?|prompts?|items?)\b/i,
  /^(?:i|we)(?:'ve| have)? (?:created|generated|written|provided|come up with|included|tried|aimed|made sure)\b/i,
  /^(?:enjoy|good luck|happy (?:learning|training|coding))\b/i,
  /^(?:note|notes|please note)\s*[:：]?\s*(?:that\s+)?(?:these|the|all|each|i|some)\b.*\b(?:tasks?|instructions?|examples?|list)\b/i,
  /^(?:here (?:are|is)|below (?:are|is)|the following (?:are|is))\b.*\b(?:tasks?|instructions?|examples?|list)\b/i,
  /^(?:that(?:'s| is) (?:all|it|the list)|end of (?:the )?list)\b/i,
  /^(?:希望(?:这些|以上|这|对(?:您|你)|能)|如果(?:您|你)?(?:还)?(?:需要|想要|有)|如需|以上(?:就是|是|这些|任务|便是)|这些任务|祝(?:您|你)|欢迎(?:继续|提出))/u,
];

const OPENING: readonly RegExp[] = [
  /^(?:sure|certainly|of course|absolutely|okay|ok|great|alright|no problem|here you go|got it)\b[\s!,.:—-]*(?:$|here|i|below|the|these|let)/i,
  /^(?:here (?:are|is)|below (?:are|is)|the following (?:are|is))\b/i,
  /^(?:i(?:'ll| will)|let me|let's)\b.*\b(?:tasks?|instructions?|examples?|list|continue|generate|create|write)\b/i,
  /^(?:continuing|continued)\b/i,
  /^(?:好的|当然|没问题|以下是|下面是|这是|接下来|继续)/u,
];

function firstWords(line: string): string {
  return line.replace(DECORATION, "").trim();
}

/** A remark that closes a list or sits between its items. */
export function isClosingChatter(line: string): boolean {
  const text = firstWords(line);
  return text !== "" && CLOSING.some((pattern) => pattern.test(text));
}

/** A remark that opens a reply ("Sure! Here are more tasks:"), or a closing one. */
export function isOpeningChatter(line: string): boolean {
  const text = firstWords(line);
  return text !== "" && (OPENING.some((pattern) => pattern.test(text)) || isClosingChatter(line));
}
