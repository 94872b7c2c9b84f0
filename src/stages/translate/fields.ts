/** The record fields translation works on, and the `--fields` list parser. */
import { UserError } from "../../errors.js";

export const TRANSLATABLE_FIELDS = ["instruction", "input", "output"] as const;
export type TranslatableField = (typeof TRANSLATABLE_FIELDS)[number];

export function parseFieldList(value: string): TranslatableField[] {
  const names = value.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !(TRANSLATABLE_FIELDS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UserError(`--fields ${value}: ${unknown.length > 0 ? `unknown field '${unknown[0]}'` : "no field given"}; use a comma-separated subset of ${TRANSLATABLE_FIELDS.join(",")}`, 2);
  }
  // Keep the record's own field order whatever order the user typed.
  return TRANSLATABLE_FIELDS.filter((field) => names.includes(field));
}
