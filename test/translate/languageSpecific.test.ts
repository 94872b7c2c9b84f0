import { describe, expect, it } from "vitest";
import { classifyLanguageSpecific } from "../../src/stages/translate/languageSpecific.js";

/** Tasks whose answer depends on English sounds, letters or grammar, or on another language. */
const LANGUAGE_SPECIFIC: Array<[string, string]> = [
  ["Write a poem where every line rhymes with 'cat'.", "rhyme"],
  ["Generate a list of words that rhyme with 'love'.", "rhyme"],
  ["Create a sentence using alliteration with the letter S.", "alliteration"],
  ["Make up a pun about vegetables.", "pun"],
  ["Correct the spelling mistakes in the following sentence.", "spelling"],
  ["Fix the grammatical errors in this paragraph.", "grammar"],
  ["Rewrite the sentence in the past tense.", "grammar"],
  ["Add the missing punctuation to the sentence below.", "punctuation"],
  ["Find an anagram of the word 'listen'.", "anagram"],
  ["Is the word 'level' a palindrome? Explain.", "palindrome"],
  ["How many syllables are in the word 'banana'?", "syllables"],
  ["How many vowels are in the word 'education'?", "letters"],
  ["List five animals whose names start with the letter B.", "letters"],
  ["Translate the following sentence into French.", "translation"],
  ["Write a tongue twister about a sailor.", "wordplay"],
];

/** Look-alikes: similar words, but the task means the same thing in Chinese. */
const PORTABLE: string[] = [
  "Write a poem about spring.",
  "Write a song about friendship and the sea.",
  "Write a function that checks whether a string is a palindrome.",
  "Write a Python program that groups anagrams from a list of strings.",
  "Write a story about a wizard who casts a spell on a village.",
  "Explain what a context-free grammar is in computer science.",
  "Describe how grammar schools differ from comprehensive schools in the UK.",
  "Summarize the following paragraph in two sentences.",
  "Explain the concept of supply and demand with a simple analogy.",
  "Name three countries where French is an official language.",
  "Sort the following numbers in ascending order.",
  "Write a short story that begins with the sentence 'It was a dark night.'",
  "Count the number of employees in each department using SQL.",
  "Suggest a catchy slogan for a new coffee shop.",
  "Explain why punctuality matters in a job interview.",
];

describe("classifyLanguageSpecific on 30 hand-written instructions", () => {
  it.each(LANGUAGE_SPECIFIC)("flags %s as %s", (instruction, reason) => {
    expect(classifyLanguageSpecific({ instruction })?.reason).toBe(reason);
  });

  it.each(PORTABLE)("keeps %s", (instruction) => {
    expect(classifyLanguageSpecific({ instruction })).toBeUndefined();
  });

  it("is exact on the whole set: 15 flagged, 15 kept", () => {
    const flagged = LANGUAGE_SPECIFIC.filter(([instruction]) => classifyLanguageSpecific({ instruction }) !== undefined).length;
    const kept = PORTABLE.filter((instruction) => classifyLanguageSpecific({ instruction }) === undefined).length;
    expect({ flagged, kept }).toEqual({ flagged: 15, kept: 15 });
  });
});

describe("classifyLanguageSpecific: English letters, spelling, prefixes and suffixes, words by letter (issue 19)", () => {
  const flagged: Array<[string, string]> = [
    ["List five words that start with the prefix 'un'.", "letters"],
    ["Give three words ending in -ing.", "letters"],
    ["Add a suffix to the word 'happy' to make a noun.", "affix"],
    ["What is the root word of 'unhappiness'?", "affix"],
    ["Name four words that begin with the letter B.", "letters"],
    ["Write a sentence where every word starts with S.", "letters"],
    ["How many letters are in the word 'elephant'?", "letters"],
    ["Spell the word 'necessary' backwards.", "spelling"],
    ["Find a word that contains the letter Q but not U.", "letters"],
    ["Generate a list of five-letter words.", "letters"],
    ["Give a 7-letter word for happy.", "letters"],
    ["Write a word ladder from cat to dog.", "letters"],
    ["Change one letter of 'cold' to make a new word.", "letters"],
    ["What is the longest word with only one vowel?", "letters"],
    ["Which letter appears most often in 'banana'?", "letters"],
    ["Write the word 'hello' in uppercase letters.", "letters"],
  ];
  const portable = [
    "Name three countries that start with a civil war in their history.",
    "Explain the difference between a prefix sum and a suffix array in algorithms.",
    "Write a function that counts the vowels in a string.",
    "Start the story with a sentence about rain.",
    "Give three examples of words that describe happiness.",
  ];
  it.each(flagged)("flags %s as %s", (instruction, reason) => {
    expect(classifyLanguageSpecific({ instruction })?.reason).toBe(reason);
  });
  it.each(portable)("keeps %s", (instruction) => {
    expect(classifyLanguageSpecific({ instruction })).toBeUndefined();
  });
  it("flags the Chinese forms of the same tasks", () => {
    expect(classifyLanguageSpecific({ instruction: "给单词“happy”加一个后缀。" }, "zh")?.reason).toBe("affix");
    expect(classifyLanguageSpecific({ instruction: "列出五个5个字母的单词。" }, "zh")?.reason).toBe("letters");
    expect(classifyLanguageSpecific({ instruction: "计算数组的前缀和。" }, "zh")).toBeUndefined();
  });
});
