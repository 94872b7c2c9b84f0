/** What exact and MinHash dedup compare of a record. */
import type { AlpacaRecord } from "../../schemas.js";

export type DedupField = "record" | "instruction";

export function dedupText(record: AlpacaRecord, field: DedupField): string {
  return field === "instruction" ? record.instruction : `${record.instruction}\n${record.input}\n${record.output}`;
}
