/**
 * `instructforge view`'s web server, on Node's own http module: the page and its two assets
 * (served from the package, nothing from the network), the JSON API, Server-Sent Events that
 * tell open pages when the run changed, and the static report in a sandboxed frame.
 *
 * Safety: records are untrusted model output. The page inserts every text with textContent, and
 * every response carries a strict Content-Security-Policy (scripts and styles only from this
 * server, no inline script, no frames of others, no connections elsewhere). Requests must name
 * this server in their Host header (a page on another site cannot reach it by DNS rebinding),
 * writes must come from its own origin, and with a token (required off loopback) every API call
 * must carry it (the Host check is then left to the token: other machines use other names).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { z } from "zod";
import { UserError } from "../errors.js";
import { packageRoot } from "../paths.js";
import { RecordQuery, ReviewBody, RowsQuery, ViewApi } from "./api.js";
import { RunIndex } from "./runIndex.js";

export interface ViewServerOptions {
  dir: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Required for a host other than loopback; generated when `generateToken` is set. */
  token?: string;
  generateToken?: boolean;
  /** How often the run's files are checked for appended lines. */
  pollMs?: number;
}

export interface ViewServer {
  url: string;
  /** The URL to open: with the token in it when there is one. */
  openUrl: string;
  token?: string;
  index: RunIndex;
  /** Milliseconds spent building the index before the server listened. */
  indexMs: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
const ASSETS_DIR = join(packageRoot, "assets", "view");
const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};
const APP_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** The report is static HTML with inline CSS and SVG: no script at all, sandboxed, framed only by the app. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";
const MAX_BODY = 16 * 1024;
const HEARTBEAT_MS = 15_000;

export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const host = options.host ?? "127.0.0.1";
  let token = options.token;
  if (!LOOPBACK.has(host) && token === undefined) {
    if (!options.generateToken) throw new UserError(`--host ${host} is reachable from other machines: give --token (or let view generate one)`, 2);
    token = randomBytes(18).toString("base64url");
  }
  const started = performance.now();
  const index = RunIndex.open(options.dir);
  const indexMs = performance.now() - started;
  const api = new ViewApi(index);
  const assets = new Map(Object.entries(ASSETS).map(([path, asset]) => [path, { body: readFileSync(join(ASSETS_DIR, asset.file)), type: asset.type }]));
  const listeners = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) sendJson(response, status, { error: message });
      else response.end();
    });
  });

  let port = options.port ?? 0;
  const allowedHosts = (): Set<string> => new Set([...LOOPBACK, host].flatMap((name) => [`${name.includes(":") ? `[${name}]` : name}:${port}`]));

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://view.invalid");
    // Without a token, only a page that names this server may talk to it (no DNS rebinding); with one, the
    // server is meant to be reached by whatever name other machines use, and the token is the check.
    if (token === undefined && !allowedHosts().has(request.headers.host ?? "")) throw new HttpError(421, "unexpected Host header");
    const asset = assets.get(url.pathname);
    if (asset && request.method === "GET") return send(response, 200, asset.type, asset.body, APP_CSP);
    if (token !== undefined && !tokenMatches(request, url, token)) throw new HttpError(401, "missing or wrong token: open the URL view printed");
    if (request.method === "POST" && url.pathname === "/api/review") {
      checkSameOrigin(request);
      const body = parse(ReviewBody, await readJsonBody(request));
      return sendJson(response, 200, api.review(body));
    }
    if (request.method !== "GET") throw new HttpError(405, "method not allowed");
    const params = Object.fromEntries(url.searchParams);
    switch (url.pathname) {
      case "/api/overview":
        return sendJson(response, 200, api.overview());
      case "/api/rows":
        return sendJson(response, 200, api.rows(parse(RowsQuery, params)));
      case "/api/record": {
        const view = await api.record(parse(RecordQuery, params));
        if (!view) throw new HttpError(404, "no such record");
        return sendJson(response, 200, view);
      }
      case "/api/similar":
        return sendJson(response, 200, api.similar());
      case "/api/events":
        return openEvents(response);
      case "/report": {
        const html = api.report();
        if (html === undefined) throw new HttpError(404, "no report here: the run is too large (run `instructforge report`) or has no records yet");
        return send(response, 200, "text/html; charset=utf-8", Buffer.from(html), REPORT_CSP);
      }
      default:
        throw new HttpError(404, "not found");
    }
  }

  function openEvents(response: ServerResponse): void {
    response.writeHead(200, { ...securityHeaders(APP_CSP), "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    response.write(`data: ${JSON.stringify({ version: index.version })}\n\n`);
    listeners.add(response);
    response.on("close", () => listeners.delete(response));
  }

  const poll = setInterval(() => {
    if (!index.refresh()) return;
    for (const listener of listeners) listener.write(`data: ${JSON.stringify({ version: index.version })}\n\n`);
  }, options.pollMs ?? 500);
  const heartbeat = setInterval(() => {
    for (const listener of listeners) listener.write(": keep-alive\n\n");
  }, HEARTBEAT_MS);
  poll.unref();
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new UserError(`--port ${port}: already in use; pick another or leave --port out for a free one`, 2) : error),
    );
    server.listen(port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
  return {
    url: base,
    openUrl: token === undefined ? base : `${base}?token=${encodeURIComponent(token)}`,
    token,
    index,
    indexMs,
    close: () => closeServer(server, listeners, [poll, heartbeat]),
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new HttpError(400, `${issue.path.join(".") || "request"}: ${issue.message}`);
  }
  return result.data;
}

function tokenMatches(request: IncomingMessage, url: URL, token: string): boolean {
  const given = request.headers["x-view-token"] ?? url.searchParams.get("token") ?? "";
  const a = Buffer.from(String(given));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A write must come from the page this server served: browsers send Origin on every POST. */
function checkSameOrigin(request: IncomingMessage): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host}`) throw new HttpError(403, "cross-origin write refused");
  if (!String(request.headers["content-type"] ?? "").startsWith("application/json")) throw new HttpError(415, "send application/json");
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, "request body too large");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "request body is not JSON");
  }
}

function securityHeaders(csp: string): Record<string, string> {
  return { "content-security-policy": csp, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "cross-origin-opener-policy": "same-origin", "cross-origin-resource-policy": "same-origin" };
}

function send(response: ServerResponse, status: number, type: string, body: Buffer, csp: string): void {
  response.writeHead(status, { ...securityHeaders(csp), "content-type": type, "content-length": body.length, "cache-control": "no-store" });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, "application/json; charset=utf-8", Buffer.from(JSON.stringify(value)), APP_CSP);
}

async function closeServer(server: Server, listeners: Set<ServerResponse>, timers: NodeJS.Timeout[]): Promise<void> {
  for (const timer of timers) clearInterval(timer);
  for (const listener of listeners) listener.end();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
