/**
 * The Batch and Files API objects we read, checked rather than trusted. Unknown statuses are
 * tolerated (kept as strings): a status we do not know is treated as "still running".
 */
import { z } from "zod";

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["completed", "failed", "expired", "cancelled"]);

export const RequestCounts = z.object({ total: z.number(), completed: z.number(), failed: z.number() });

export const BatchObject = z.object({
  id: z.string().min(1),
  status: z.string(),
  created_at: z.number(),
  input_file_id: z.string(),
  output_file_id: z.string().nullish(),
  error_file_id: z.string().nullish(),
  request_counts: RequestCounts.nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  errors: z
    .object({ data: z.array(z.object({ code: z.string().nullish(), message: z.string().nullish(), line: z.number().nullish() })).nullish() })
    .nullish(),
});
export type BatchObject = z.infer<typeof BatchObject>;

export const BatchPage = z.object({ data: z.array(BatchObject), has_more: z.boolean().nullish(), last_id: z.string().nullish() });

export const FileObject = z.object({ id: z.string().min(1) });

/** One line of an output or error file. */
export const ResultLine = z.object({
  custom_id: z.string(),
  response: z.object({ status_code: z.number(), body: z.unknown() }).nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});
export type ResultLine = z.infer<typeof ResultLine>;

/** One line of an input file, as we write it (and read back from an adopted batch). */
export const InputLine = z.object({
  custom_id: z.string(),
  method: z.literal("POST"),
  url: z.string(),
  body: z.record(z.string(), z.unknown()),
});
export type InputLine = z.infer<typeof InputLine>;

/** The metadata every batch of ours carries: which run made it, and in which wave. */
export const METADATA_RUN = "instructforge_run";
export const METADATA_WAVE = "instructforge_wave";
