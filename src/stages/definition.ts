/**
 * The stage contract: what every stage declares once, and everything else is derived from — the
 * config schema (`options`), path resolution in configs (`paths`), whether an endpoint is needed
 * (`callsModel`), the pipeline call (`run`), the dry-run estimate (`estimate`) and the docs line
 * (`summary`). The harness (src/runtime/stageRun.ts) owns resume, fingerprints, accounting,
 * provenance and progress for all of them. Adding a stage: one folder with a definition, and one
 * line in src/stages/index.ts.
 */
import type { z } from "zod";
import type { EstimateContext, StageEstimate } from "../pipeline/estimateKit.js";
import type { StageCall } from "../pipeline/stageCalls.js";

export interface StageDefinition<Schema extends z.ZodObject = z.ZodObject> {
  /** The config key and the CLI command. */
  name: string;
  /** One line: `--help`, the README's command table and docs/ARCHITECTURE.md say this. */
  summary: string;
  /** Every option the stage takes in a config, with its type, range and meaning. */
  options: Schema;
  /** Options that name files: a config's relative paths are resolved against its own folder. */
  paths: ReadonlyArray<keyof z.infer<Schema> & string>;
  /** Options that never change what the stage decides (thread counts): a resume may change them. */
  tuning?: ReadonlyArray<keyof z.infer<Schema> & string>;
  /** False only for a stage that makes its own records (generate). */
  readsRecords: boolean;
  /** Whether these options make the stage call a model (and so need an endpoint and a key). */
  callsModel(options: z.infer<Schema>): boolean;
  /** Run the stage in the pipeline (and the library): the harness does the rest. */
  run(options: z.infer<Schema>, call: StageCall): Promise<void>;
  /** Requests, tokens and cost, before anything is sent. */
  estimate(options: z.infer<Schema>, recordsIn: number, context: EstimateContext, previous?: string): Promise<StageEstimate>;
}

/** Type-checks a definition against its own options schema. */
export function defineStage<Schema extends z.ZodObject>(definition: StageDefinition<Schema>): StageDefinition<Schema> {
  return definition;
}
