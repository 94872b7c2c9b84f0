/**
 * Structured text that is not fenced (issue 19): bare JSON, code lines, key=value, CSV-like
 * blocks and table cells another field quotes. Unit tests on protect/restore with the
 * simulator's pseudo-translation (a test double), then the stage end to end against the simulator.
 */
import { describe, expect, it } from "vitest";
import type { AlpacaRecord } from "../../src/schemas.js";
import { pseudoTranslate } from "../../src/simulator/handlers/translate.js";
import { protect, protectRecord, restore } from "../../src/stages/translate/protect.js";
import { csvBlocks, isCodeShaped, quotedTableCells } from "../../src/stages/translate/structured.js";
import { hanShareOf, translateWith } from "./helpers.js";

/** protect → pseudo-translate (full-width punctuation, no spaces: what broke bare JSON) → restore. */
function roundTrip(text: string, options: Parameters<typeof protect>[1] = {}): string {
  const shielded = protect(text, options);
  const restored = restore(pseudoTranslate(shielded.text), shielded.spans, shielded.json === true);
  if (!restored.ok) throw new Error(`restore failed: ${JSON.stringify(restored)}`);
  return restored.text;
}

const PROFILE = JSON.stringify(
  { name: "Alice", bio: "Loves hiking and painting in the mountains.", age: 30, tags: ["outdoor person", "artist"], url: "https://example.com/alice", quote: 'She said "yes" to the offer.', nested: { note: "Call me after lunch.", id: "user_42" } },
  null,
  2,
);

describe("a field that is all JSON", () => {
  it("keeps keys, numbers and punctuation, translates only prose values, and still parses", () => {
    const translated = roundTrip(PROFILE);
    const before = JSON.parse(PROFILE) as Record<string, unknown>;
    const after = JSON.parse(translated) as Record<string, unknown> & { tags: string[]; nested: Record<string, string> };
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(Object.keys(after.nested)).toEqual(["note", "id"]);
    expect(after).toMatchObject({ name: "Alice", age: 30, url: "https://example.com/alice" });
    expect(after.tags[1]).toBe("artist"); // one word: not prose
    expect(after.nested.id).toBe("user_42");
    for (const value of [after.bio, after.tags[0], after.quote, after.nested.note]) expect(hanShareOf(String(value)), String(value)).toBeGreaterThan(0.9);
    // Outside the translated values, the text is byte-identical: same lines, same indentation.
    const blankValue = (line: string): string => line.replace(/"(?:[^"\\]|\\.)*"(?=,?$)/, '""');
    expect(translated.split("\n").map(blankValue)).toEqual(PROFILE.split("\n").map(blankValue));
  });

  it("jsonValues 'all' translates one-word values too; 'none' leaves the field untouched", () => {
    const all = JSON.parse(roundTrip(PROFILE, { jsonValues: "all" })) as { name: string; tags: string[] };
    expect(hanShareOf(all.tags[1]!)).toBe(1);
    expect(hanShareOf(all.name)).toBe(1);
    const none = protect(PROFILE, { jsonValues: "none" });
    expect(none.spans).toEqual([PROFILE]);
    expect(roundTrip(PROFILE, { jsonValues: "none" })).toBe(PROFILE);
  });

  it("a bare JSON array of sentences, and a value holding a placeholder, parse after translation", () => {
    const text = '["Open the door.", "Say hello to {name}."]';
    const after = JSON.parse(roundTrip(text)) as string[];
    expect(after).toHaveLength(2);
    expect(after[1]).toContain("{name}");
    expect(hanShareOf(after[0]!)).toBe(1);
  });

  it("text that only looks like JSON is protected as usual", () => {
    expect(protect("{not json}, but prose follows.").json).toBeUndefined();
  });
});

describe("code lines by shape, key=value, CSV-like blocks", () => {
  it("protects one code line inside prose, byte-identical", () => {
    const text = "Fix this line:\nfor i in range(10) print(i)\nIt fails with a syntax error.";
    expect(protect(text).spans).toContain("for i in range(10) print(i)");
    expect(roundTrip(text)).toContain("\nfor i in range(10) print(i)\n");
  });

  it("tells code lines from prose with a formula or placeholders", () => {
    expect(isCodeShaped("arr.sort((a, b) => a - b);")).toBe(true);
    expect(isCodeShaped("x = [1, 2, 3]")).toBe(true);
    expect(isCodeShaped("if (a > b) { return a; }")).toBe(true);
    expect(isCodeShaped("The function f(x) = 2x + 1 grows by two for every step of x.")).toBe(false);
    expect(isCodeShaped("Call get_user_id() or userName.trim() in the loop.")).toBe(false);
    expect(isCodeShaped("Dear {name}, your order (no. 12) has shipped.")).toBe(false);
  });

  it("keeps key=value tokens", () => {
    const text = "Set max_connections=100 and timeout=30s before you restart the server.";
    const spans = protect(text).spans;
    expect(spans).toEqual(expect.arrayContaining(["max_connections=100", "timeout=30s"]));
    expect(roundTrip(text)).toMatch(/max_connections=100.*timeout=30s/);
  });

  it("keeps a CSV-like block whole, and not prose lines with commas", () => {
    const csv = "name,age,city\nAlice,30,Paris\nBob,25,Rome";
    const text = `Load this data:\n${csv}\nThen compute the mean age.`;
    expect(protect(text).spans).toContain(csv);
    expect(roundTrip(text)).toContain(csv);
    expect(csvBlocks("I like apples, pears and plums.\nYou like bananas, kiwis and figs.")).toEqual([]);
    expect(csvBlocks("id\tscore\n1\t90\n2\t85")).toHaveLength(1);
  });
});

describe("table cells another field quotes", () => {
  const record: AlpacaRecord = {
    instruction: "Which breed in the table is the most friendly?",
    input: "| Breed | Temperament |\n|---|---|\n| Golden Retriever | Friendly |\n| Siberian Husky | Independent |",
    output: "The Golden Retriever is rated Friendly, unlike the Siberian Husky.",
  };

  it("finds the quoted cells, longest first", () => {
    expect(quotedTableCells(record)).toEqual(["Golden Retriever", "Siberian Husky", "Friendly"]);
  });

  it("keeps them byte-identical in both fields, while other cells are translated", () => {
    const shielded = protectRecord(record, ["instruction", "input", "output"]);
    const translated = Object.fromEntries(
      [...shielded].map(([field, p]) => {
        const restored = restore(pseudoTranslate(p.text), p.spans);
        if (!restored.ok) throw new Error(field);
        return [field, restored.text];
      }),
    ) as Record<keyof AlpacaRecord, string>;
    for (const cell of ["Golden Retriever", "Siberian Husky", "Friendly"]) {
      expect(translated.input).toContain(`| ${cell} |`);
      expect(translated.output).toContain(cell);
    }
    expect(translated.input).not.toContain("Temperament");
    expect(translated.input).not.toContain("Independent");
  });
});

describe("translate stage (simulator): structured text survives", () => {
  it("bare JSON parses with its keys, code lines and CSV stay byte-identical, quoted cells agree", async () => {
    const records: AlpacaRecord[] = [
      { instruction: "Describe this person as a JSON object.", input: "", output: PROFILE },
      { instruction: "Explain why this line fails.", input: "for i in range(10) print(i)", output: "The loop header lacks a colon, so Python cannot parse the line:\nfor i in range(10) print(i)\nAdd a colon after the parenthesis." },
      { instruction: "Compute the average age from the data.", input: "name,age,city\nAlice,30,Paris\nBob,25,Rome", output: "The average age of Alice and Bob is 27.5 years." },
      { instruction: "Which breed is the most friendly?", input: "| Breed | Temperament |\n|---|---|\n| Golden Retriever | Friendly |\n| Siberian Husky | Independent |", output: "The Golden Retriever is the most Friendly breed in the table." },
    ];
    const run = await translateWith(records);
    expect(run.rejected).toEqual([]);
    const [profile, code, csv, table] = run.data as [AlpacaRecord, AlpacaRecord, AlpacaRecord, AlpacaRecord];

    const parsed = JSON.parse(profile.output) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(Object.keys(JSON.parse(PROFILE) as object));
    expect(parsed).toMatchObject({ name: "Alice", age: 30, url: "https://example.com/alice" });
    expect(hanShareOf(String(parsed.bio))).toBeGreaterThan(0.9);

    expect(code.input).toBe("for i in range(10) print(i)");
    expect(code.output.split("\n")[1]).toBe("for i in range(10) print(i)");
    expect(csv.input).toBe(records[2]!.input);
    expect(table.input).toContain("| Golden Retriever | Friendly |");
    expect(table.output).toContain("Golden Retriever");
    expect(table.output).toContain("Friendly");
    for (const record of run.data) expect(hanShareOf(record.instruction), record.instruction).toBeGreaterThan(0.6);
  });
});
