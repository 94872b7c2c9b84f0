import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const cli = join(import.meta.dirname, "../../dist/src/cli.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Run the built CLI without blocking the event loop (the simulator runs in this process). */
export function runCli(args: string[], options: { killWhen?: () => boolean } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, INSTRUCTFORGE_PROGRESS_MS: "100000" } });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = options.killWhen
      ? setInterval(() => {
          if (options.killWhen!()) child.kill("SIGKILL");
        }, 5)
      : undefined;
    child.on("close", (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stderr });
    });
  });
}

export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

export function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((l) => l !== "").length : 0;
}
