/**
 * Reading the reply to the Self-Instruct instruction prompt: a numbered list of instructions that
 * continues the prompt's own list (which ends with the bare number `9.`). As the reference does
 * (bootstrap_instructions.py), items split at numbered lines and whitespace runs collapse; unlike
 * it, chat-model chatter (an intro, a sign-off, markdown bold) is recognised and dropped, and
 * only the first letter is capitalised (Python's str.capitalize() also lower-cases the rest).
 */
import { isClosingChatter, isOpeningChatter } from "./chatter.js";

export interface InstructionList {
  instructions: string[];
  /** Non-blank lines that belonged to no instruction. */
  chatterLines: number;
}

const NUMBERED = /^\s*(?:[*_]{1,3})?\s*(\d{1,3})\s?[.)]\s*(?:[*_]{1,3})?\s*(.*)$/;
const FENCE = /^\s*(```|~~~)/;

export function parseInstructionList(text: string): InstructionList {
  const items: string[][] = [];
  let current: string[] | undefined;
  const leading: string[] = [];
  let chatterLines = 0;
  let inFence = false;
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (FENCE.test(line)) inFence = !inFence;
    const numbered = inFence ? null : NUMBERED.exec(line);
    if (numbered) {
      current = [numbered[2]!];
      items.push(current);
    } else if (current) {
      current.push(line);
    } else {
      leading.push(line);
    }
  }
  // Text before the first number continues the prompt's trailing "9." — unless it is an intro.
  const leadingText = leading.filter((line) => line.trim() !== "");
  if (leadingText.length > 0) {
    if (leadingText.every((line) => isOpeningChatter(line))) chatterLines += leadingText.length;
    else items.unshift(leading.filter((line) => !isOpeningChatter(line)));
  }
  const instructions: string[] = [];
  for (const lines of items) {
    // A remark after an item ("I hope these help!") ends it: it and everything after it are chatter.
    const remark = lines.findIndex((line, index) => index > 0 && isClosingChatter(line));
    const own = remark === -1 ? lines : lines.slice(0, remark);
    chatterLines += lines.length - own.length - lines.slice(own.length).filter((line) => line.trim() === "").length;
    const kept = own.filter((line) => line.trim() !== "");
    const instruction = capitalizeFirst(kept.join(" ").replace(/\*\*|__/g, "").replace(/\s+/g, " ").trim());
    if (instruction !== "") instructions.push(instruction);
  }
  return { instructions, chatterLines };
}

function capitalizeFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
