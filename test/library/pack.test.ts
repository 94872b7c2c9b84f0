/**
 * The library as a user gets it: `npm pack`, install the tarball into a fresh project, type-check
 * the README's "Use it from TypeScript" example under `strict`, and run it against the SIMULATOR
 * (a test double). Fails if the package has no usable `exports`/`types`, if the example stops
 * compiling, or if a stage function stops working outside the CLI.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { cliEnv, lineCount, makeTempDir, REPO_ROOT } from "../reliability/harness.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 3 });
});
afterAll(async () => {
  await sim.close();
});

/** The first ```ts block under the README heading "Use it from TypeScript". */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.split("## Use it from TypeScript")[1];
  const block = section?.match(/```ts\n([\s\S]*?)```/);
  if (!block?.[1]) throw new Error("README.md has no ```ts example under 'Use it from TypeScript'");
  return block[1];
}

function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

describe("the packed library", () => {
  it("installs from its tarball, type-checks the README example under strict, and runs it", { timeout: 300_000 }, async () => {
    const work = makeTempDir("pack");
    // dist/ is built by `npm test`; packing again would only rebuild it.
    execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: REPO_ROOT, stdio: "pipe" });
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    expect(tarball).toBeDefined();

    const project = join(work, "app");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    const types = `@types/node@${installedVersion("@types/node")}`;
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(work, tarball!), types], { cwd: project, stdio: "pipe" });

    writeFileSync(join(project, "example.ts"), readmeExample());
    const tsconfig = {
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "build", types: ["node"], skipLibCheck: false },
      files: ["example.ts"],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig));
    execFileSync(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", project], { cwd: project, stdio: "pipe" });

    // Asynchronously: the simulator answering the example runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, [join(project, "build", "example.js")], {
      cwd: project,
      env: cliEnv({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "x", INSTRUCTFORGE_MODEL: "sim" }),
    });
    expect(stdout).toMatch(/^model says: \S/m);
    expect(stdout).toMatch(/^generate: 40 kept, \d+ rejected$/m);
    expect(stdout).toMatch(/^dedup: \d+ kept, \d+ rejected$/m);
    const kept = lineCount(join(project, "out/lib/dedup/data.jsonl"));
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(40);
    expect(existsSync(join(project, "out/lib/gen/manifest.json"))).toBe(true);
  });
});
