/**
 * Root verb and direct object of an English instruction, in the spirit of the Self-Instruct /
 * Alpaca diversity chart (they parsed the first sentence and took the verb closest to the root
 * and its first direct noun object). We have no parser offline, so a POS tagger plus a few rules
 * on the shapes instructions take: imperatives, wh-questions, yes/no questions, "Given X, do Y".
 */
import { englishTagger, type PosTagger, type TaggedToken } from "./brill.js";

export interface VerbObject {
  verb: string;
  /** Head noun of the direct object, singular; null when the verb takes no noun object. */
  object: string | null;
}

/** Tokens after this are never needed to find the root verb, and tagging cost grows with length. */
const MAX_TOKENS = 24;
const TOKEN = /\d+(?:[.,]\d+)+%?|[A-Za-z0-9][A-Za-z0-9'-]*%?|[^\sA-Za-z0-9]/g;
const SENTENCE_END = /[.?!](?=\s|$)|\n/;

const AUXILIARIES = new Set(["is", "are", "was", "were", "am", "be", "do", "does", "did", "can", "could", "should", "would", "will", "may", "might", "must", "shall", "has", "have", "had"]);
const COPULAS = new Set(["is", "are", "was", "were", "am", "be", "been", "being"]);
const WH_WORDS = new Set(["what", "which", "who", "whom", "whose", "how", "why", "when", "where"]);
/** Openers of a leading phrase that ends at a comma before the real clause: "Given a list, sort it". */
const LEAD_INS = new Set(["given", "using", "in", "for", "from", "based", "with", "if", "after", "before", "according", "as", "without", "by", "on"]);
const PARTICLES = new Set(["out", "up", "down", "off", "over", "back", "away", "together"]);
const OBJECT_PRONOUNS = new Set(["me", "us", "him", "her", "them", "you"]);
const NUMBER_WORDS = new Set(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty", "hundred", "few", "several", "some", "many", "all", "both", "each", "every", "any"]);
const IRREGULAR_VERBS: Record<string, string> = { given: "give", written: "write", made: "make", done: "do", taken: "take", shown: "show", said: "say" };
const MODIFIER_TAGS = new Set(["DT", "PDT", "PRP$", "CD", "JJ", "JJR", "JJS", "RB", "RBR", "RBS", "VBG", "VBN", "POS", "``", "''", "\""]);

export function extractVerbObject(instruction: string, tagger: PosTagger = englishTagger()): VerbObject | null {
  const words = mainClause(firstSentence(instruction));
  if (words.length === 0) return null;
  words[0] = words[0]!.toLowerCase();
  const tokens = tagger.tag(words).map((t) => ({ token: t.token, tag: t.tag, lower: t.token.toLowerCase() }));
  const first = tokens[0]!.lower;
  if (WH_WORDS.has(first)) return whQuestion(tokens, tagger);
  if (AUXILIARIES.has(first)) return yesNoQuestion(tokens, 1, tagger);
  if (looksImperative(tokens, tagger)) return { verb: first, object: objectAfter(tokens, 1, tagger) };
  return declarative(tokens, tagger);
}

interface Token extends TaggedToken {
  lower: string;
}

function firstSentence(text: string): string {
  const match = SENTENCE_END.exec(text.trim());
  return match ? text.trim().slice(0, match.index) : text.trim();
}

/** Words of the clause that carries the task: a leading "Given …," / "In two sentences," is dropped. */
function mainClause(sentence: string): string[] {
  const words = (sentence.match(TOKEN) ?? []).slice(0, MAX_TOKENS * 2);
  const comma = words.indexOf(",");
  if (comma > 0 && comma < words.length - 1 && LEAD_INS.has(words[0]!.toLowerCase())) return words.slice(comma + 1, comma + 1 + MAX_TOKENS);
  return words.slice(0, MAX_TOKENS);
}

function canBeVerb(token: Token, tagger: PosTagger): boolean {
  return token.tag.startsWith("VB") || tagger.possibleTags(token.lower).some((tag) => tag.startsWith("VB"));
}

function isNoun(token: Token | undefined): boolean {
  return token !== undefined && (token.tag.startsWith("NN") || token.tag === "PRP") && !NUMBER_WORDS.has(token.lower);
}

/** The tagger often calls a sentence-initial verb NN/NNP; the lexicon says whether it can be a verb. */
function looksImperative(tokens: Token[], tagger: PosTagger): boolean {
  const first = tokens[0]!;
  if (!/^[a-z]+$/.test(first.lower) || first.tag === "DT") return false;
  if (first.tag === "VB" || tagger.possibleTags(first.lower).includes("VB")) return true;
  // Unknown words in first position followed by a determiner are, in instruction data, verbs ("Brainstorm a …").
  const next = tokens[1];
  return tagger.possibleTags(first.lower).length === 0 && !first.lower.endsWith("s") && next !== undefined && ["DT", "PRP$", "CD", "JJ"].includes(next.tag);
}

function whQuestion(tokens: Token[], tagger: PosTagger): VerbObject | null {
  const auxAt = tokens.findIndex((t, i) => i > 0 && AUXILIARIES.has(t.lower));
  const verbAt = tokens.findIndex((t, i) => i > 0 && /^VB[DZP]$/.test(t.tag) && !AUXILIARIES.has(t.lower));
  if (auxAt > 0 && (verbAt < 0 || auxAt < verbAt)) {
    // "Which fallacy does this argument commit": the wh-phrase is the fronted object.
    const frontedObject = nounRunHead(tokens, 1, auxAt);
    const result = yesNoQuestion(tokens, auxAt + 1, tagger);
    if (result && result.object === null && frontedObject) return { verb: result.verb, object: frontedObject };
    return result;
  }
  if (verbAt > 0) return { verb: verbLemma(tokens[verbAt]!), object: objectAfter(tokens, verbAt + 1, tagger) };
  // "Which shell command lists the files": the tagger calls "lists" NNS; a noun that can be a verb
  // and is followed by a determiner is the verb of the wh-subject.
  const hidden = tokens.findIndex((t, i) => i > 1 && t.tag.startsWith("NN") && canBeVerb(t, tagger) && ["DT", "CD", "PRP$"].includes(tokens[i + 1]?.tag ?? ""));
  return hidden > 0 ? { verb: verbLemma(tokens[hidden]!), object: objectAfter(tokens, hidden + 1, tagger) } : null;
}

/** After an auxiliary: subject, then the main verb ("does this argument commit …", "can I use …"). */
function yesNoQuestion(tokens: Token[], start: number, tagger: PosTagger): VerbObject | null {
  let seenSubject = false;
  for (let i = start; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.tag === "." || token.tag === ",") break;
    const verbTagged = token.tag === "VB" || token.tag === "VBP";
    const nounThatCanBeVerb = seenSubject && token.tag.startsWith("NN") && canBeVerb(token, tagger);
    if (seenSubject && (verbTagged || nounThatCanBeVerb)) {
      if (COPULAS.has(token.lower)) return null;
      return { verb: token.lower, object: objectAfter(tokens, i + 1, tagger) };
    }
    if (isNoun(token)) seenSubject = true;
  }
  // "Is the statement a fact?" — only a copula: no verb–object pair, as with a parser.
  return null;
}

/** "A restaurant bill is $146" (copula: no pair); "You are given a list" (passive: give/list). */
function declarative(tokens: Token[], tagger: PosTagger): VerbObject | null {
  const verbAt = tokens.findIndex((t, i) => i > 0 && t.tag.startsWith("VB") && t.tag !== "VBG");
  if (verbAt < 0) return null;
  const verb = tokens[verbAt]!;
  if (COPULAS.has(verb.lower) || AUXILIARIES.has(verb.lower)) {
    const participle = tokens[verbAt + 1];
    if (participle?.tag === "VBN") return { verb: verbLemma(participle), object: objectAfter(tokens, verbAt + 2, tagger) };
    return null;
  }
  return { verb: verbLemma(verb), object: objectAfter(tokens, verbAt + 1, tagger) };
}

/** Head noun of the noun phrase right after a verb, or null when a clause or preposition comes first. */
function objectAfter(tokens: Token[], start: number, tagger: PosTagger): string | null {
  let i = start;
  while (i < tokens.length && PARTICLES.has(tokens[i]!.lower)) i++;
  if (i > start && tokens[i]?.lower === "with") i++; // "come up with three puns"
  if (OBJECT_PRONOUNS.has(tokens[i]?.lower ?? "") && i + 1 < tokens.length && tokens[i + 1]!.tag !== "." && tokens[i + 1]!.tag !== "IN" && tokens[i + 1]!.tag !== "TO") i++; // "tell me a story"
  return nounRunHead(tokens, i, tokens.length, tagger);
}

/** Skip determiners and modifiers, then take the last noun of the first run of nouns. */
function nounRunHead(tokens: Token[], start: number, end: number, tagger?: PosTagger): string | null {
  let i = start;
  while (i < end && isModifier(tokens, i) && !isNounLike(tokens, i, end, tagger)) i++;
  let head: Token | undefined;
  while (i < end && isNounLike(tokens, i, end, tagger)) {
    // "make this message sound more professional": a verb-capable noun before an adjective ends the phrase.
    if (head && tagger && canBeVerb(tokens[i]!, tagger) && ["JJ", "JJR", "RB", "RBR", "DT", "PRP"].includes(tokens[i + 1]?.tag ?? "")) break;
    head = tokens[i]!;
    i++;
  }
  return head ? singular(head.lower) : null;
}

function isModifier(tokens: Token[], i: number): boolean {
  const token = tokens[i]!;
  if (MODIFIER_TAGS.has(token.tag) || NUMBER_WORDS.has(token.lower)) return true;
  // Coordinated adjectives: "a short, persuasive description", "electric and gasoline cars".
  return (token.tag === "," || token.tag === "CC") && tokens[i - 1]?.tag === "JJ" && /^(?:JJ|NN)/.test(tokens[i + 1]?.tag ?? "");
}

const PHRASE_END_TAGS = new Set(["IN", "TO", ".", "CC", "WDT", "WP"]);

function isNounLike(tokens: Token[], i: number, end: number, tagger?: PosTagger): boolean {
  const token = tokens[i]!;
  if (!/^[a-z]/.test(token.lower)) return false;
  if (!token.tag.startsWith("NN")) return endsPhraseAsNoun(tokens, i, end, tagger);
  // Number words are tagged NN by this lexicon ("six names"); they modify the noun after them.
  return !(NUMBER_WORDS.has(token.lower) && i + 1 < end && tokens[i + 1]!.tag.startsWith("NN"));
}

/**
 * The tagger calls some nouns JJ or VBG ("the animal/JJ as", "the opening/VBG of"); in the last
 * slot before a preposition or the end, after a determiner or modifier, they are the head noun.
 */
function endsPhraseAsNoun(tokens: Token[], i: number, end: number, tagger?: PosTagger): boolean {
  const token = tokens[i]!;
  const nounCapable = token.tag === "VBG" || (token.tag === "JJ" && (tagger?.possibleTags(token.lower).includes("NN") ?? false));
  const before = tokens[i - 1]?.tag ?? "";
  const after = i + 1 < end ? tokens[i + 1]!.tag : ".";
  return nounCapable && /^(?:DT|JJ|NN|PRP\$|CD)/.test(before) && PHRASE_END_TAGS.has(after);
}

function verbLemma(token: Token): string {
  const word = token.lower;
  if (IRREGULAR_VERBS[word]) return IRREGULAR_VERBS[word]!;
  if (token.tag === "VBZ" || token.tag === "NNS") return singular(word);
  return word;
}

/** Regular English plurals only; irregular ones ("people") stay as they are. */
export function singular(word: string): string {
  if (word.length <= 3 || word.endsWith("ss") || word.endsWith("us") || word.endsWith("is")) return word;
  if (word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (/(?:ch|sh|x|z|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s")) return word.slice(0, -1);
  return word;
}
