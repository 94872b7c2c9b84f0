/**
 * Errors a user can fix (bad input, bad flags, missing settings). The CLI prints only the
 * message, with no stack trace, and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** `file:line: what is wrong` — the one format every input error uses. */
export function inputError(file: string, line: number | undefined, problem: string): UserError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new UserError(`${where}: ${problem}`);
}
