/**
 * What the CLI hands a stage: Ctrl-C and SIGTERM become an AbortSignal, progress is drawn on stderr,
 * notes go to stderr, and the command line is recorded. The library itself never touches `process`;
 * this is the one place the stage commands do.
 */
import type { Command } from "commander";
import type { StageContext, StageProgress } from "../runtime/stageRun.js";
import { createProgress, type Progress } from "../runtime/progress.js";

export interface CliStageContext {
  context: StageContext;
  /** Remove the signal handlers (the command is done). */
  dispose(): void;
}

export function cliStageContext(options: { restart?: boolean } = {}): CliStageContext {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const bars = new Map<string, Progress>();
  const onProgress = (progress: StageProgress): void => {
    let bar = bars.get(progress.label);
    if (!bar) bars.set(progress.label, (bar = createProgress({ label: progress.label })));
    if (progress.final) bar.finish(progress);
    else bar.update(progress);
  };
  return {
    context: {
      signal: controller.signal,
      onProgress,
      log: (line) => process.stderr.write(`${line}\n`),
      argv: process.argv.slice(2),
      restart: options.restart === true,
    },
    dispose() {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    },
  };
}

/** `--restart`, on every command that writes a run directory. */
export function addRestartOption(command: Command): Command {
  return command.option("--restart", "if --out holds a different run (other options, input or prompts), move it aside and start again instead of refusing");
}

/** Run `body` with a CLI stage context, always removing the handlers after. */
export async function withCliStageContext<T>(options: { restart?: boolean }, body: (context: StageContext) => Promise<T>): Promise<T> {
  const cli = cliStageContext(options);
  try {
    return await body(cli.context);
  } finally {
    cli.dispose();
  }
}
