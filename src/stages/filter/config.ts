/**
 * Every threshold of the filter stage in one zod schema with defaults. The CLI and the `run`
 * config both pass (a partial of) this object; `FilterThresholds.parse({})` gives the defaults.
 */
import { z } from "zod";

/** The heuristic rules, in the order they are checked: a dropped record names the first it fails. */
export const RULE_NAMES = [
  "empty_output",
  "placeholder_output",
  "refusal",
  "truncated_output",
  "unseeable_reference",
  "restates_input",
  "repetition",
  "language_mismatch",
  "length_bounds",
] as const;
export const RuleName = z.enum(RULE_NAMES);
export type RuleName = z.infer<typeof RuleName>;

const Bounds = z.object({ min: z.number().int().nonnegative(), max: z.number().int().positive() }).refine((b) => b.min <= b.max, "min must be ≤ max");

/** Bounds in words (English) or characters (Chinese, punctuation not counted). */
const LanguageBounds = z.object({ instruction: Bounds, output: Bounds });

export const FilterThresholds = z
  .object({
    /** Whole outputs (case-insensitive, surrounding punctuation ignored) that mean "no answer". */
    placeholders: z.array(z.string()).default([
      "n/a", "na", "none", "null", "nil", "nan", "undefined", "nooutput", "no output", "<nooutput>", "<no output>",
      "...", "…", "……", "-", "--", "?", "tbd", "todo", "无", "无输出", "<无输出>", "暂无", "空", "不适用", "略",
    ]),
    /** Phrases (plain text, case-insensitive, anywhere) that mark a refusal besides the built-in list (rules/refusal.ts). */
    refusalExtraPhrases: z.array(z.string()).default([]),
    /**
     * Truncation: an unfinished last sentence of at least this many English words (after the last
     * sentence end in a paragraph, or in a paragraph this long without one), and a dangling Chinese
     * line of at least this many characters.
     */
    truncatedMinTailWords: z.number().int().positive().default(5),
    truncatedMinParagraphWords: z.number().int().positive().default(25),
    truncatedMinLastLineChars: z.number().int().positive().default(20),
    /** ROUGE-L F1 of output vs instruction or input at or above which the output only restates it. */
    restateThreshold: z.number().min(0).max(1).default(0.9),
    /** A restatement adds at most this many tokens the compared text lacks ("… is 7" adds an answer). */
    restateMaxNovelTokens: z.number().int().nonnegative().default(0),
    /** ROUGE-L at or above which an output is an echo of the instruction, or of the input of a transform task, at any length. */
    echoThreshold: z.number().min(0).max(1).default(0.95),
    /** A transform task's output this short (tokens) is never an echo of its input: a cognate or a name translates to itself. */
    echoMinTokensTransform: z.number().int().positive().default(2),
    /** Outputs shorter than this (similarity tokens) are never "restatements" (echoes aside): labels, names, numbers. */
    restateMinTokens: z.number().int().nonnegative().default(5),
    /** Share of repeated n-grams (code excluded: tables and matrices repeat by nature) (tokens in duplicate n-grams / all n-grams) above which an output loops. */
    repetitionMaxRatio: z.number().min(0).max(1).default(0.5),
    /** n for repetition: words for English, characters for Chinese. */
    repetitionNgramEn: z.number().int().positive().default(4),
    repetitionNgramZh: z.number().int().positive().default(8),
    /** Outputs with fewer n-grams than this are too short for the n-gram ratio (the loop test below still applies). */
    repetitionMinNgrams: z.number().int().positive().default(30),
    /**
     * Loops of a short unit, at any length: an output that is one unit of at most
     * `loopMaxUnitTokens` tokens said at least `loopMinRepeats` times (the share of tokens equal to
     * the token one unit earlier at least `loopMinShare`).
     */
    loopMaxUnitTokens: z.number().int().positive().default(8),
    loopMinRepeats: z.number().min(2).default(3),
    loopMinShare: z.number().min(0).max(1).default(0.9),
    /** Han share at or above which a text is Chinese, and at or below which it is English (between: not judged). */
    languageZhMinShare: z.number().min(0).max(1).default(0.1),
    languageEnMaxShare: z.number().min(0).max(1).default(0.05),
    /**
     * Enough text to tell the language: English needs this many English function words (a list
     * of names, URLs, hashtags or an e-mail address is no language), Chinese this many characters.
     */
    languageMinFunctionWords: z.number().int().positive().default(3),
    languageMinChars: z.number().int().positive().default(6),
    lengthBounds: z
      .object({ en: LanguageBounds, zh: LanguageBounds })
      .default({
        en: { instruction: { min: 2, max: 300 }, output: { min: 1, max: 2000 } },
        zh: { instruction: { min: 3, max: 600 }, output: { min: 1, max: 4000 } },
      }),
  })
  .strict();
export type FilterThresholds = z.infer<typeof FilterThresholds>;

export const FilterLanguage = z.enum(["auto", "en", "zh"]);
export type FilterLanguage = z.infer<typeof FilterLanguage>;

/** Defaults used when the judge is on and no --min-score is given (AlpaGasus kept ≥ 4.5 of 5). */
export const DEFAULT_MIN_SCORE = 4.5;
/** Deita's complexity scorer ranks on 1..6. */
export const COMPLEXITY_MAX = 6;

/** Bounds the CLI and the config share (the judge's 0–5 scale, request sizes). */
export const FILTER_LIMITS = { minScore: { min: 0, max: 5 }, judgeBatch: 50, judgeAttempts: 10 } as const;

/**
 * Records per judge/complexity request when not set (the CLI, the config and the estimate share it):
 * one, as AlpaGasus (gpt4life/alpagasus, rating/chatgpt_rating.py) and Deita (scorer/base.py) send.
 */
export const DEFAULT_JUDGE_BATCH = 1;
