/**
 * How the pipeline (and the library) calls a stage: through its definition in the registry
 * (src/stages/index.ts). Stages whose CLI parser is the one place their defaults live are called
 * by laying the config's options over their command's declared flag defaults (the helpers below).
 */
import { Command } from "commander";
import type { z } from "zod";
import { UserError } from "../errors.js";
import type { LlmSettings } from "../llm/types.js";
import type { StageContext } from "../runtime/stageRun.js";
import type { Language } from "../schemas.js";
import { STAGES } from "../stages/index.js";
import type { StageConfig, StageName } from "./config.js";

/** Everything a stage needs besides its own options. */
export interface StageCall {
  /** Which stage, for messages. */
  name: StageName;
  /** The previous stage's data.jsonl (or the config's `input`); absent for `generate`. */
  inputPath?: string;
  outDir: string;
  lang: Language;
  seed: number;
  llm: LlmSettings;
  context?: StageContext;
}

type FlagValue = string | string[] | boolean;
type Flags = Record<string, FlagValue>;

/** One stage of a pipeline, with its options, and where and how it runs. */
export type StageInvocation = Omit<StageCall, "name"> & { stage: Exclude<StageConfig, { name: "export" }> };

export async function callStage(invocation: StageInvocation): Promise<void> {
  const { stage, ...call } = invocation;
  const definition = STAGES[stage.name];
  // The union of definitions is not callable with the union of options; each entry was checked
  // against its own schema when the config (or the library call) was parsed.
  const run = definition.run as (options: typeof stage.options, call: StageCall) => Promise<void>;
  await run(stage.options, { ...call, name: stage.name });
}

export function inputOf(call: StageCall): string {
  if (!call.inputPath) throw new UserError(`stage ${call.name} reads records: put a stage before it, or set \`input:\` in the config`, 2);
  return call.inputPath;
}

/** A command's declared defaults (strings, as commander keeps them) read as typed values. */
export function typedDefaults(flags: Flags) {
  const get = (key: string): FlagValue => {
    const value = flags[key];
    if (value === undefined) throw new Error(`the command declares no default for ${key}`);
    return value;
  };
  return {
    number: (key: string) => Number(get(key)),
    string: (key: string) => String(get(key)),
    boolean: (key: string) => get(key) === true,
  };
}

/**
 * The merged flags in the shape the stage's parser takes. The config schema already checked every
 * option, so a mismatch here is a bug in this file, reported as such.
 */
export function asFlags<Schema extends z.ZodType>(schema: Schema, flags: Flags, stage: string): z.infer<Schema> {
  const parsed = schema.safeParse(flags);
  if (!parsed.success) throw new Error(`internal: the ${stage} options do not map onto its flags: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** The flags every stage shares: where to write, which language, which seed. */
export function commonFlags(call: StageCall): Flags {
  return { out: call.outDir, lang: call.lang, seed: String(call.seed) };
}

/** Config values (typed) → the strings and lists commander would have produced from flags. */
export function toFlags(options: Record<string, unknown>): Flags {
  const flags: Flags = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) flags[key] = value.map(String);
    else if (typeof value === "boolean") flags[key] = value;
    else if (typeof value === "object" && value !== null) flags[key] = JSON.stringify(value);
    else flags[key] = String(value);
  }
  return flags;
}

/** A stage command's flag defaults, read from its own commander definition. */
export function commandDefaults(register: (program: Command) => void, name: string): Flags {
  const program = new Command();
  register(program);
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`the ${name} command did not register itself`);
  return command.opts() as Flags;
}

