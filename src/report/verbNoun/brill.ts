/**
 * natural's Brill POS tagger, loaded by sub-path: the package root pulls in database clients and
 * runs dotenv (printing to stdout), while this sub-tree only reads its bundled lexicon and rules.
 */
import { createRequire } from "node:module";

export interface TaggedToken {
  token: string;
  tag: string;
}

interface BrillModule {
  Lexicon: new (language: string, defaultCategory: string, defaultCategoryCapitalized: string) => { lexicon: Record<string, string[]> };
  RuleSet: new (language: string) => unknown;
  BrillPOSTagger: new (lexicon: unknown, ruleSet: unknown) => { tag(words: string[]): { taggedWords: TaggedToken[] } };
}

export interface PosTagger {
  tag(words: string[]): TaggedToken[];
  /** Every tag the lexicon allows for a word (empty when unknown). */
  possibleTags(word: string): readonly string[];
}

let cached: PosTagger | undefined;

/** The tagger takes ~0.3 s to load its lexicon, so it is built once, on first use. */
export function englishTagger(): PosTagger {
  cached ??= loadTagger();
  return cached;
}

function loadTagger(): PosTagger {
  const require = createRequire(import.meta.url);
  const brill = require("natural/lib/natural/brill_pos_tagger/index.js") as BrillModule;
  const lexicon = new brill.Lexicon("EN", "NN", "NNP");
  const tagger = new brill.BrillPOSTagger(lexicon, new brill.RuleSet("EN"));
  const entries = lexicon.lexicon;
  return {
    tag: (words) => tagger.tag(words).taggedWords,
    possibleTags: (word) => (Object.hasOwn(entries, word) ? entries[word]! : []),
  };
}
