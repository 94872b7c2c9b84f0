/**
 * The evolution operations, their families, and the seeded choice of one operation per
 * (round, pool item). The choice depends only on (seed, round, pool index), so a resumed run
 * picks exactly the operations an uninterrupted one would.
 */
import { UserError } from "../../errors.js";
import { createRng, deriveSeed } from "../../text/rng.js";
import { REFERENCE_GENERAL_OPERATIONS } from "./defaults.js";

export const GENERAL_OPERATIONS = ["add_constraints", "deepen", "concretize", "increase_reasoning", "complicate_input", "breadth"] as const;
export const CODE_OPERATIONS = ["code_constraints", "code_rare_requirement", "code_reasoning", "code_misdirection", "code_complexity"] as const;
export const ALL_OPERATIONS = [...GENERAL_OPERATIONS, ...CODE_OPERATIONS] as const;

export type Operation = (typeof ALL_OPERATIONS)[number];
export type Family = "general" | "code";

export function familyOf(operation: Operation): Family {
  return (CODE_OPERATIONS as readonly string[]).includes(operation) ? "code" : "general";
}

/** Only `breadth` writes a new prompt (`#Created Prompt#`); every other operation rewrites the given one. */
export function isBreadth(operation: Operation): boolean {
  return operation === "breadth";
}

export type OperationWeights = Record<Family, Array<{ operation: Operation; weight: number }>>;

/**
 * The reference draws its five released prompts uniformly (complicate_input is opt-in, see
 * defaults.ts). WizardCoder proposes higher time/space complexity "rarely", so it gets half the
 * weight of the other code methods.
 */
export function defaultWeights(): OperationWeights {
  return {
    general: REFERENCE_GENERAL_OPERATIONS.map((operation) => ({ operation, weight: 1 })),
    code: CODE_OPERATIONS.map((operation) => ({ operation, weight: operation === "code_complexity" ? 0.5 : 1 })),
  };
}

function isOperation(name: string): name is Operation {
  return (ALL_OPERATIONS as readonly string[]).includes(name);
}

/**
 * `--ops add_constraints=1,deepen=2,breadth` → weights (a bare name weighs 1). Operations not
 * listed are not used; a family with none listed keeps no operation (checked against the pool later).
 */
export function parseOperationWeights(spec: string): OperationWeights {
  const weights: OperationWeights = { general: [], code: [] };
  const seen = new Set<string>();
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [name = "", value] = part.split("=").map((s) => s.trim());
    if (!isOperation(name)) {
      throw new UserError(`--ops: unknown operation '${name}'; choose from ${ALL_OPERATIONS.join(", ")}`, 2);
    }
    if (seen.has(name)) throw new UserError(`--ops: '${name}' is listed twice`, 2);
    seen.add(name);
    const weight = value === undefined ? 1 : Number(value);
    if (!Number.isFinite(weight) || weight < 0) throw new UserError(`--ops: weight of '${name}' must be a number ≥ 0, got '${value}'`, 2);
    if (weight > 0) weights[familyOf(name)].push({ operation: name, weight });
  }
  if (weights.general.length + weights.code.length === 0) throw new UserError("--ops lists no operation with a weight above 0", 2);
  return weights;
}

/** The operation for one pool item in one round: a weighted draw from RNG(seed, round, index). */
export function chooseOperation(weights: OperationWeights, family: Family, seed: number, round: number, poolIndex: number): Operation {
  const choices = weights[family];
  if (choices.length === 0) throw new UserError(`no ${family} operation is enabled; add one to --ops or force --family`, 2);
  const total = choices.reduce((sum, c) => sum + c.weight, 0);
  let draw = createRng(deriveSeed(seed, "evolve-operation", round, poolIndex)).next() * total;
  for (const choice of choices) {
    draw -= choice.weight;
    if (draw < 0) return choice.operation;
  }
  return choices[choices.length - 1]!.operation;
}
