/** Shared plumbing for subcommands: turn thrown errors into one clear line and an exit code. */
import { UserError } from "../errors.js";

export function exitWithError(error: unknown): never {
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
