/** Shared plumbing for subcommands: turn thrown errors into one clear line and an exit code. */
import { UserError } from "../errors.js";
import { StageInterrupted } from "../runtime/stageRun.js";

/** Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT), as shells expect. */
const INTERRUPTED_EXIT = 130;

export function exitWithError(error: unknown): never {
  if (error instanceof StageInterrupted) {
    process.stderr.write(
      `\ninstructforge: interrupted — ${error.accepted} records are saved in ${error.dir}.\n` +
        "Re-run the same command to resume; finished requests are replayed from the cache, not paid again.\n",
    );
    process.exit(INTERRUPTED_EXIT);
  }
  if (error instanceof UserError) {
    process.stderr.write(`instructforge: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`instructforge: ${message}\n`);
  if (process.env.INSTRUCTFORGE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

/** Wrap a command's action so every failure path prints one line and exits non-zero. */
export function action<Args extends unknown[]>(fn: (...args: Args) => Promise<void> | void) {
  return async (...args: Args): Promise<void> => {
    try {
      await fn(...args);
    } catch (error) {
      exitWithError(error);
    }
  };
}

export function notImplemented(name: string): never {
  throw new UserError(`'${name}' is not implemented yet`, 2);
}
