/** `instructforge simulate` as a real subprocess (run `npm run build` first). */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { expect, test } from "vitest";

const CLI = "dist/src/cli.js";

test.skipIf(!existsSync(CLI))("prints its URL as the first stdout line, a test-double banner on stderr, stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [CLI, "simulate", "--port", "0", "--seed", "5", "--knob", "example=0.5"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const lines = createInterface({ input: child.stdout });
    const [firstLine] = (await once(lines, "line")) as [string];
    expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);

    const models = (await (await fetch(`${firstLine}/models`)).json()) as { data: Array<{ owned_by: string }> };
    expect(models.data[0]?.owned_by).toContain("test double");
    expect(stderr).toMatch(/SIMULATOR.*TEST DOUBLE/s);
  } finally {
    child.kill("SIGTERM");
  }
  const [code] = (await once(child, "exit")) as [number | null];
  expect(code).toBe(0);
});

test.skipIf(!existsSync(CLI))("rejects a bad fault rate with one line and exit code 2", async () => {
  const child = spawn(process.execPath, [CLI, "simulate", "--port", "0", "--fail-429", "1.5"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  expect(code).toBe(2);
  expect(stderr.trim()).toBe("instructforge: --fail-429 must be a rate between 0 and 1, got '1.5'");
});

test.skipIf(!existsSync(CLI))("--profile llamacpp --context N: the listing reports the context, the banner names the profile", async () => {
  const child = spawn(process.execPath, [CLI, "simulate", "--port", "0", "--profile", "llamacpp", "--context", "512"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const lines = createInterface({ input: child.stdout });
    const [url] = (await once(lines, "line")) as [string];
    const models = (await (await fetch(`${url}/models`)).json()) as { data: Array<{ owned_by: string; meta: { n_ctx: number } }> };
    expect(models.data[0]?.meta.n_ctx).toBe(512);
    expect(models.data[0]?.owned_by).toContain("test double");
    expect(stderr).toMatch(/TEST DOUBLE.*behaving like llamacpp's server/s);
  } finally {
    child.kill("SIGTERM");
  }
  await once(child, "exit");
});
