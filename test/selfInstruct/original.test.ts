/** The Self-Instruct recipe's pure steps: the instruction list, the verdict, the instances and their filters. */
import { describe, expect, it } from "vitest";
import { filterInstances, isClassificationVerdict, parseInputFirst, parseOutputFirst } from "../../src/stages/selfInstruct/instances.js";
import { parseInstructionList } from "../../src/stages/selfInstruct/instructionList.js";
import { renderInstructionPrompt } from "../../src/stages/selfInstruct/original.js";
import { ExamplePicker } from "../../src/stages/selfInstruct/examples.js";
import { LaggedNovelty } from "../../src/stages/selfInstruct/laggedNovelty.js";

describe("parseInstructionList", () => {
  it("continues the prompt's bare number, drops an intro and a sign-off, and collapses whitespace", () => {
    const reply = " Decide whether the given email is spam.\n10. **Write a haiku**   about rain.\n11. Plan a picnic\nfor six people.\n\nI hope these tasks are helpful!";
    expect(parseInstructionList(reply)).toEqual({
      instructions: ["Decide whether the given email is spam.", "Write a haiku about rain.", "Plan a picnic for six people."],
      chatterLines: 1,
    });
    expect(parseInstructionList("Sure! Here are more tasks:\n\n9. name a river in Africa.\n10. Explain tides.")).toEqual({
      instructions: ["Name a river in Africa.", "Explain tides."],
      chatterLines: 1,
    });
  });
});

describe("renderInstructionPrompt", () => {
  it("numbers the examples as encode_prompt does and ends with the bare next number", () => {
    const examples = [{ id: "a", instruction: "Give  three tips:", input: "", output: "" }, { id: "b", instruction: "Name a colour.", input: "", output: "" }];
    expect(renderInstructionPrompt({ text: "Come up with tasks:\n", mode: "append" }, examples)).toBe("Come up with tasks:\n1. Give three tips\n2. Name a colour.\n3.");
    expect(renderInstructionPrompt({ text: "Tasks:\n\n{examples}\n{next_number}.\n", mode: "fill" }, examples)).toBe("Tasks:\n\n1. Give three tips\n2. Name a colour.\n3.");
  });
});

describe("classification verdict", () => {
  it.each([["Yes", true], ["yes.", true], ["**Yes**", true], ["Yes, it is.", true], ["No", false], ["It depends", false], ["", false]])("%j → %s", (reply, expected) => {
    expect(isClassificationVerdict(reply as string)).toBe(expected);
  });
});

describe("instances", () => {
  it("reads output-first blocks: the label, then the input written for it", () => {
    const reply = "Class label: Spam\nInput: WIN A FREE CRUISE NOW\nClass label: Not spam\nInput: Lunch at noon?";
    expect(parseOutputFirst(reply, "stop")).toEqual([
      { output: "Spam", input: "WIN A FREE CRUISE NOW" },
      { output: "Not spam", input: "Lunch at noon?" },
    ]);
    expect(parseOutputFirst(reply, "length")).toHaveLength(1);
  });

  it("reads input-first Example blocks, with and without an input, and drops a sign-off", () => {
    const reply = "Here are some examples:\n\nExample 1\nInput: 25 °C\nOutput: 77 °F\nExample 2\nOutput: 100 °C is 212 °F.\n\nLet me know if you need more examples.";
    expect(parseInputFirst(reply, "stop")).toEqual([
      { input: "25 °C", output: "77 °F" },
      { input: "", output: "100 °C is 212 °F." },
    ]);
  });

  it("applies the reference's instance filters", () => {
    const filtered = filterInstances(
      [
        { input: "a", output: "a" },
        { input: "x", output: "" },
        { input: "Input:", output: "ok" },
        { input: "q", output: "1" },
        { input: "q", output: "1" },
      ],
      5,
    );
    expect(filtered.kept).toEqual([{ input: "q", output: "1" }]);
    expect(filtered.dropped.map((d) => d.rejection.reason)).toEqual(["instance_input_equals_output", "instance_empty_output", "instance_ends_with_colon", "instance_duplicate"]);
    const conflicting = filterInstances([{ input: "q", output: "1" }, { input: "q", output: "2" }], 5);
    expect(conflicting.kept).toEqual([]);
    expect(conflicting.dropped.every((d) => d.rejection.reason === "instance_conflicting_outputs")).toBe(true);
    expect(filterInstances(Array.from({ length: 7 }, (_, i) => ({ input: String(i), output: `out ${i}` })), 5).kept).toHaveLength(5);
  });
});

describe("LaggedNovelty (the early screen before the follow-up requests)", () => {
  it("screens in unit order against what units before u − lag kept, and only drops what the final check would drop", async () => {
    const seeds = [{ id: "s0", instruction: "Name three rivers in Europe.", input: "", output: "" }];
    const picker = new ExamplePicker(seeds, { seed: 1, examples: 1, machineExamples: 0, lag: 1, firstUnit: 0 });
    const screen = new LaggedNovelty(0.7, true, seeds, picker, { lag: 1, firstUnit: 0 });
    const order: number[] = [];
    // Unit 2 asks first: it must wait for units 0 and 1 to be screened, and for unit 0 (2 − lag − 1) to commit.
    const second = screen.screen(2, ["Write a limerick about a sleepy cat.", "Name three rivers in Europe please."]).then((r) => (order.push(2), r));
    const zero = await screen.screen(0, ["Write a limerick about a sleepy cat."]);
    order.push(0);
    expect(zero).toEqual([undefined]);
    screen.kept(0, "Write a limerick about a sleepy cat.", "k0");
    picker.unitCommitted(0);
    const one = await screen.screen(1, []);
    order.push(1);
    expect(one).toEqual([]);
    const verdicts = await second;
    expect(order).toEqual([0, 1, 2]);
    expect(verdicts.map((v) => v?.reason)).toEqual(["too_similar", "too_similar"]);
  });
});
