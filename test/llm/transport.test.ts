/** The chat transport against a bare HTTP server: what it sends, and how it reports what comes back. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { APIConnectionError, APIConnectionTimeoutError, BadRequestError, InternalServerError } from "openai";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createChatTransport } from "../../src/llm/transport.js";

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let baseUrl: string;
let seen: Seen[];
/** What the server does with the next request; default: a small chat completion. */
let reply: (response: http.ServerResponse) => void;

const completion = { choices: [{ message: { content: "hi" }, finish_reason: "stop" }] };

beforeEach(async () => {
  seen = [];
  reply = (response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(completion));
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body });
      reply(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  delete process.env.OPENAI_ORG_ID;
});

test("POSTs the JSON body to {base}/chat/completions with the key and JSON headers, as the SDK did", async () => {
  process.env.OPENAI_ORG_ID = "org-123";
  for (const base of [baseUrl, `${baseUrl}/`]) {
    const transport = createChatTransport({ baseUrl: base, apiKey: "sk-abc" });
    await expect(transport.postChatCompletion({ model: "m", messages: [{ role: "user", content: "é" }], seed: undefined }, 5_000)).resolves.toEqual(completion);
    transport.close();
  }
  expect(seen.map((s) => [s.method, s.url])).toEqual([
    ["POST", "/v1/chat/completions"],
    ["POST", "/v1/chat/completions"],
  ]);
  const { headers, body } = seen[0]!;
  expect(headers).toMatchObject({ authorization: "Bearer sk-abc", "content-type": "application/json", accept: "application/json", "openai-organization": "org-123" });
  expect(body).toBe('{"model":"m","messages":[{"role":"user","content":"é"}]}');
  expect(headers["content-length"]).toBe(String(Buffer.byteLength(body)));
});

test("HTTP errors become the SDK's status errors, with the server's message and headers", async () => {
  const transport = createChatTransport({ baseUrl, apiKey: "k" });
  reply = (response) => response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "bad model" } }));
  const badRequest = await transport.postChatCompletion({}, 5_000).catch((error: unknown) => error);
  expect(badRequest).toBeInstanceOf(BadRequestError);
  expect((badRequest as BadRequestError).error).toEqual({ message: "bad model" });

  reply = (response) => response.writeHead(503, { "retry-after": "3" }).end("upstream down");
  const unavailable = await transport.postChatCompletion({}, 5_000).catch((error: unknown) => error);
  expect(unavailable).toBeInstanceOf(InternalServerError);
  expect((unavailable as InternalServerError).status).toBe(503);
  expect((unavailable as InternalServerError).headers?.get("retry-after")).toBe("3");
  expect((unavailable as InternalServerError).message).toContain("upstream down");
  transport.close();
});

test("a reply that is not JSON comes back as text; invalid JSON under a JSON type is an error", async () => {
  const transport = createChatTransport({ baseUrl, apiKey: "k" });
  reply = (response) => response.writeHead(200, { "content-type": "text/html" }).end("<html>proxy login</html>");
  await expect(transport.postChatCompletion({}, 5_000)).resolves.toBe("<html>proxy login</html>");
  reply = (response) => response.writeHead(200, { "content-type": "application/json" }).end('{"choices": [');
  await expect(transport.postChatCompletion({}, 5_000)).rejects.toThrow(SyntaxError);
  transport.close();
});

test("a reply cut off mid-body is a connection reset; a silent server is a timeout", async () => {
  const transport = createChatTransport({ baseUrl, apiKey: "k" });
  reply = (response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
    response.write('{"choices": [');
    setTimeout(() => response.socket?.destroy(), 20);
  };
  const reset = await transport.postChatCompletion({}, 5_000).catch((error: unknown) => error);
  expect(reset).toBeInstanceOf(APIConnectionError);
  expect(((reset as APIConnectionError).cause as NodeJS.ErrnoException).code).toBe("ECONNRESET");

  reply = () => undefined; // never answers
  await expect(transport.postChatCompletion({}, 200)).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  transport.close();
});
