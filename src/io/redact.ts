/** Keep API keys out of manifests, logs and error messages. */

const SECRET_FLAGS = new Set(["--api-key"]);

/** The command line with the value of every secret flag replaced. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag] = arg.split("=", 1);
    if (SECRET_FLAGS.has(flag!) && arg.includes("=")) out.push(`${flag}=<redacted>`);
    else if (SECRET_FLAGS.has(arg) && i + 1 < argv.length) {
      out.push(arg, "<redacted>");
      i++;
    } else out.push(redactSecrets(arg));
  }
  return out;
}

/** Replace any occurrence of the configured key in free text (error messages, URLs). */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = [process.env.OPENAI_API_KEY]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("<redacted>");
  }
  return out;
}
