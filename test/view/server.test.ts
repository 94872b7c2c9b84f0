/** The viewer's HTTP server: security headers, Host and token checks, paging limits, review writes, live events, and the CLI. */
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordId } from "../../src/schemas.js";
import { startViewServer, type ViewServer } from "../../src/view/server.js";
import { tempDir } from "./fixtures.js";

const jsonl = (values: readonly unknown[]): string => values.map((v) => `${JSON.stringify(v)}\n`).join("");
const record = (n: number) => ({ instruction: `Write haiku number ${n} about rivers.`, input: "", output: `River ${n} runs.` });

function writeStage(count: number): string {
  const dir = join(tempDir("if-view-server-"), "gen");
  mkdirSync(dir);
  const records = Array.from({ length: count }, (_, n) => record(n));
  writeFileSync(join(dir, "meta.jsonl"), jsonl(records.map((r, unit) => ({ id: recordId(r), stage: "generate", unit }))));
  writeFileSync(join(dir, "data.jsonl"), jsonl(records));
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stage: "generate", status: "running", llm: { costUsd: 0.25, promptTokens: 10, completionTokens: 5 } }));
  return dir;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

let dir: string;
let server: ViewServer;
beforeAll(async () => {
  dir = writeStage(300);
  server = await startViewServer({ dir, pollMs: 20 });
});
afterAll(async () => {
  await server?.close();
});

describe("view server", () => {
  it("serves the page and the API with a strict Content-Security-Policy", async () => {
    for (const path of ["", "app.js", "api/overview"]) {
      const reply = await call(`${server.url}${path}`);
      expect(reply.status, path).toBe(200);
      expect(reply.headers["content-security-policy"], path).toContain("default-src 'none'; script-src 'self'");
      expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    }
    const overview = JSON.parse((await call(`${server.url}api/overview`)).body) as { stages: Array<{ kept: number; costUsd: number }>; live: boolean };
    expect(overview.stages[0]).toMatchObject({ kept: 300, costUsd: 0.25 });
    expect(overview.live).toBe(true);
  });

  it("serves the report's charts sandboxed, with no script allowed", async () => {
    const reply = await call(`${server.url}report`);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-security-policy"]).toContain("sandbox");
    expect(reply.headers["content-security-policy"]).not.toContain("script-src");
    expect(reply.body).toContain('id="chart-stages"');
  });

  it("refuses a request naming another host (DNS rebinding)", async () => {
    const reply = await call(`${server.url}api/overview`, { headers: { host: "evil.example:80" } });
    expect(reply.status).toBe(421);
  });

  it("pages every list: at most 200 rows, whatever is asked", async () => {
    const reply = JSON.parse((await call(`${server.url}api/rows?limit=100000`)).body) as { total: number; rows: unknown[] };
    expect(reply.total).toBe(300);
    expect(reply.rows.length).toBe(200);
    const bad = await call(`${server.url}api/rows?round=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("not a number: abc");
  });

  it("appends a review mark from its own origin only", async () => {
    const id = recordId(record(7));
    const body = JSON.stringify({ id, verdict: "bad", note: "dull", stage: "gen" });
    const host = new URL(server.url).host;
    expect((await call(`${server.url}api/review`, { method: "POST", headers: { "content-type": "application/json", origin: "http://evil.example" }, body })).status).toBe(403);
    expect((await call(`${server.url}api/review`, { method: "POST", headers: { "content-type": "text/plain" }, body })).status).toBe(415);
    expect((await call(`${server.url}api/review`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"id": "x", "verdict": "meh"}' })).status).toBe(400);
    const ok = await call(`${server.url}api/review`, { method: "POST", headers: { "content-type": "application/json", origin: `http://${host}` }, body });
    expect(ok.status).toBe(200);
    const saved = readFileSync(join(dir, "review.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(saved).toMatchObject([{ id, verdict: "bad", note: "dull", stage: "gen" }]);
    const rows = JSON.parse((await call(`${server.url}api/rows?review=bad`)).body) as { rows: Array<{ id: string; review: string }> };
    expect(rows.rows.map((r) => [r.id, r.review])).toEqual([[id, "bad"]]);
  });

  it("pushes a new version to open pages when the run appends records", async () => {
    const events = await new Promise<import("node:http").IncomingMessage>((resolve) => request(`${server.url}api/events`, resolve).end());
    const versions = createInterface({ input: events });
    const seen: number[] = [];
    const grew = new Promise<void>((resolve) => {
      versions.on("line", (line) => {
        if (!line.startsWith("data: ")) return;
        seen.push((JSON.parse(line.slice(6)) as { version: number }).version);
        if (seen.length === 1) {
          appendFileSync(join(dir, "meta.jsonl"), jsonl([{ id: recordId(record(300)), stage: "generate", unit: 300 }]));
          appendFileSync(join(dir, "data.jsonl"), jsonl([record(300)]));
        } else resolve();
      });
    });
    await grew;
    events.destroy();
    expect(seen[1]!).toBeGreaterThan(seen[0]!);
    const found = JSON.parse((await call(`${server.url}api/rows?q=${encodeURIComponent("haiku 300")}`)).body) as { total: number };
    expect(found.total).toBe(1);
  });

  it("off loopback, needs a token, and takes it from a header or the URL", async () => {
    await expect(startViewServer({ dir, host: "0.0.0.0" })).rejects.toThrow("--host 0.0.0.0 is reachable from other machines: give --token");
    const open = await startViewServer({ dir, host: "0.0.0.0", generateToken: true });
    try {
      expect(open.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(open.openUrl).toContain(`?token=${open.token}`);
      const base = `http://127.0.0.1:${new URL(open.url).port}/`;
      const host = { host: "my-workstation.lan:8080" }; // reached by another name: the token decides
      expect((await call(`${base}api/overview`, { headers: host })).status).toBe(401);
      expect((await call(`${base}api/overview`, { headers: { ...host, "x-view-token": "wrong" } })).status).toBe(401);
      expect((await call(`${base}api/overview`, { headers: { ...host, "x-view-token": open.token! } })).status).toBe(200);
      expect((await call(`${base}api/overview?token=${open.token}`, { headers: host })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe("instructforge view (CLI)", () => {
  it("prints the URL on stdout, serves it, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [join(process.cwd(), "dist", "src", "cli.js"), "view", dir], { stdio: ["ignore", "pipe", "pipe"] });
    const firstLine = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
    expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await call(`${firstLine}api/overview`)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.once("close", resolve));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
  });

  it("says what is wrong with a directory that is not a run", async () => {
    const empty = tempDir("if-view-empty-");
    const child = spawn(process.execPath, [join(process.cwd(), "dist", "src", "cli.js"), "view", empty], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain(`${empty}: no data.jsonl and no stage directories`);
  });
});
