/**
 * What chat models write around a task list that is not part of any task: intros ("Sure! Here
 * are 17 more tasks:"), sign-offs ("I hope these tasks are helpful!"), and remarks about the list
 * itself. Pure predicates over one paragraph's first line; the parser decides where to apply them
 * (only at the edges of a field, never inside a code block).
 *
 * The closing patterns must talk about the list, the tasks or the reader's next request ("let me
 * know if you'd like more", "these tasks cover …"), so an output that ends "Let me know if you
 * have any questions." or "I hope you have a great day!" (a letter) is never taken for chatter.
 */

/** Markdown decoration and emoji a model puts in front of a remark. */
const DECORATION = /^[\s*_#>~`\-–—•🙂😊👍✨🎉]+/u;

/** What the list, the tasks or the reader's next request is called in a remark. */
const LIST_WORDS = String.raw`(?:tasks?|instructions?|examples?|prompts?|items?|list|ones|variations?)`;

const CLOSING: readonly RegExp[] = [
  new RegExp(String.raw`^(?:i |we )?hope (?:this|these|that|the above)\b.*\b(?:help|helps|helpful|useful|${LIST_WORDS}|purpose|need|needs|work)\b`, "i"),
  /^(?:please )?(?:let me know|tell me) if (?:you(?:'d| would)? )?(?:like|want|need|prefer|require)\s+(?:more|any (?:more|other|changes)|additional|further|other|different|me to|changes|adjustments|modifications)\b/i,
  new RegExp(String.raw`^feel free to (?:ask|request|let me know|modify|adjust|use|adapt|tweak)\b.*\b(?:${LIST_WORDS}|more)\b`, "i"),
  new RegExp(String.raw`^if you(?:'d| would)? (?:like|need|want|require)\b.*\b(?:more|other|additional|further|different)\s+${LIST_WORDS}\b`, "i"),
  /^if you(?:'d| would)? (?:like|need|want)\b.*\b(?:changes|modifications|adjustments)\b/i,
  /^would you like (?:me to|more|additional|any (?:more|other)|other|further)\b/i,
  new RegExp(String.raw`^(?:these|the above|this (?:set|list) of|all of these|each of these) (?:\d+ )?(?:new |additional |diverse |varied )?${LIST_WORDS}\b.*\b(?:cover|covers|range|ranges|designed|diverse|variety|vary|span|spans|meant|intended|aim|aims|test|showcase|mix|should (?:help|give|provide|offer)|can be used|are suitable)\b`, "i"),
  new RegExp(String.raw`^(?:i|we)(?:'ve| have)? (?:created|generated|written|provided|come up with|included|tried|aimed|made sure)\b.*\b(?:${LIST_WORDS}|variety|mix|range)\b`, "i"),
  new RegExp(String.raw`^(?:note|notes|please note)\s*[:：]?\s*(?:that\s+)?(?:these|the|all|each|i|some)\b.*\b${LIST_WORDS}\b`, "i"),
  new RegExp(String.raw`^(?:here (?:are|is)|below (?:are|is)|the following (?:are|is))\b.*\b${LIST_WORDS}\b`, "i"),
  /^end of (?:the )?list\b/i,
  /^(?:希望(?:这些|以上)(?:任务|指令|示例|内容|例子)|希望(?:对(?:您|你)|能(?:对(?:您|你)|帮到|帮助))|如果(?:您|你)(?:还)?(?:需要|想要)(?:更多|其他|别的|另外)|如需(?:更多|其他)|以上(?:就是|是|便是)?(?:\d+个|全部|所有|这些)?(?:任务|指令|示例)|这些任务(?:涵盖|涉及|可以|适合|旨在|覆盖))/u,
];

const OPENING: readonly RegExp[] = [
  /^(?:sure|certainly|of course|absolutely|okay|ok|great|alright|no problem|here you go|got it)\b[\s!,.:—-]*(?:$|here|i|below|the|these|let)/i,
  /^(?:here (?:are|is)|below (?:are|is)|the following (?:are|is))\b/i,
  /^(?:i(?:'ll| will)|let me|let's)\b.*\b(?:tasks?|instructions?|examples?|list|continue|generate|create|write)\b/i,
  /^(?:continuing|continued)\b/i,
  /^(?:好的|当然|没问题|以下是|下面是|这是|接下来|继续)/u,
];

/** Every closing pattern starts with one of these words: one test settles most lines. */
const CLOSING_START = /^(?:i|we|hope|please|let|tell|feel|if|would|these|the|this|all|each|note|notes|here|below|end)\b|^(?:希望|如果|如需|以上|这些)/iu;

function firstWords(line: string): string {
  return line.replace(DECORATION, "").trim();
}

/** A remark that closes a list or sits between its items. */
export function isClosingChatter(line: string): boolean {
  const text = firstWords(line);
  return CLOSING_START.test(text) && CLOSING.some((pattern) => pattern.test(text));
}

/** A remark that opens a reply ("Sure! Here are more tasks:"), or a closing one. */
export function isOpeningChatter(line: string): boolean {
  const text = firstWords(line);
  return text !== "" && (OPENING.some((pattern) => pattern.test(text)) || isClosingChatter(line));
}
