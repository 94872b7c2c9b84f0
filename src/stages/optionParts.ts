/**
 * Small typed building blocks for stage options, shared by every stage's schema and the pipeline
 * config; each carries the one sentence an error prints after "expected".
 */
import { z } from "zod";

export const positiveInt = () => z.number({ error: "a positive integer" }).int({ error: "a positive integer" }).positive({ error: "a positive integer" });
export const nonNegativeInt = () => z.number({ error: "an integer ≥ 0" }).int({ error: "an integer ≥ 0" }).nonnegative({ error: "an integer ≥ 0" });
export const positiveNumber = () => z.number({ error: "a positive number" }).positive({ error: "a positive number" });
export const between = (min: number, max: number) =>
  z.number({ error: `a number from ${min} to ${max}` }).min(min, { error: `a number from ${min} to ${max}` }).max(max, { error: `a number from ${min} to ${max}` });
export const upTo = (max: number) => z.number({ error: `a whole number from 1 to ${max}` }).int({ error: `a whole number from 1 to ${max}` }).min(1, { error: `a whole number from 1 to ${max}` }).max(max, { error: `a whole number from 1 to ${max}` });
export const path = () => z.string({ error: "a file path" }).min(1, { error: "a file path" });
export const text = () => z.string({ error: "a string" });
export const flag = () => z.boolean({ error: "true or false" });
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `one of ${values.join(", ")}` });
export const listOf = <T extends readonly [string, ...string[]]>(values: T) => z.array(oneOf(values), { error: `a list of: ${values.join(", ")}` });

