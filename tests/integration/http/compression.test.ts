/**
 * Which responses the real production server compresses (server/http/compression.ts): the API's
 * JSON and event streams go out uncompressed even to a client that accepts gzip; pages, a task's
 * diff and the OpenAPI document are still compressed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request as httpRequest } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeGitRepo } from "../helpers/test-env";
import { startRealServer, TEST_TOKEN, type RealServer } from "../../fixtures/real-server";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-compression-"));
let server: RealServer;

beforeAll(async () => {
  server = await startRealServer({ dir });
}, 90_000);
afterAll(async () => {
  await server?.stop("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A request as a browser sends it (gzip accepted), its body read as sent, not decoded. */
function get(pathname: string): Promise<{ status: number; encoding: string | null; type: string | null; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}${pathname}`, { headers: { authorization: `Bearer ${TEST_TOKEN}`, "accept-encoding": "gzip, deflate, br" } }, (response) => {
      const type = response.headers["content-type"] ?? null;
      const encoding = response.headers["content-encoding"] ?? null;
      const chunks: Buffer[] = [];
      const done = () => resolve({ status: response.statusCode!, encoding, type, body: Buffer.concat(chunks) });
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        // An event stream stays open: its first bytes are enough.
        if (type?.startsWith("text/event-stream")) {
          request.destroy();
          done();
        }
      });
      response.on("end", done);
    });
    request.on("error", reject);
    request.end();
  });
}

describe("response compression", () => {
  it("leaves the API's JSON uncompressed, small or large, and its errors", async () => {
    const { body: workspace } = await server.api<{ id: number }>("/api/workspaces", { method: "POST", body: { name: "c", path: makeGitRepo(dir, "repo"), concurrencyLimit: 1 } });
    // A page large enough that compression would otherwise apply to it by any threshold.
    for (let index = 0; index < 20; index += 1) {
      const created = await server.api("/api/tasks", { method: "POST", body: { workspaceId: workspace.id, prompt: `Compression ${index} ${"x".repeat(500)}`, backend: "claude_code", dependsOn: [] } });
      expect(created.status).toBe(201);
    }
    for (const pathname of ["/api/session", "/api/health", "/api/tasks?limit=50", "/api/tasks/counts", "/api/tasks/999999"]) {
      const answer = await get(pathname);
      expect(answer.encoding, pathname).toBeNull();
      expect(() => JSON.parse(answer.body.toString("utf8")), pathname).not.toThrow();
    }
    const page = await get("/api/tasks?limit=50");
    expect(page.body.length).toBeGreaterThan(10_000);
  });

  it("leaves an event stream uncompressed", async () => {
    const answer = await get("/api/events");
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^text\/event-stream/);
    expect(answer.encoding).toBeNull();
  });

  it("still compresses pages, a task's diff and the OpenAPI document", async () => {
    const spec = await get("/api/openapi.json");
    expect(spec.encoding).toBe("gzip");
    expect(JSON.parse(gunzipSync(spec.body).toString("utf8"))).toHaveProperty("openapi");
    // The diff of a task that does not exist: the rule is the route's, whatever the answer.
    const diff = await get("/api/tasks/999999/diff");
    expect(diff.status).toBe(404);
    expect(diff.encoding).toBe("gzip");
    const home = await get("/");
    expect(home.status).toBe(200);
    expect(home.encoding).toBe("gzip");
    const html = gunzipSync(home.body).toString("utf8");
    const script = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
    expect(script).toBeDefined();
    const code = await get(script!);
    expect(code.encoding).toBe("gzip");
    expect(gunzipSync(code.body).length).toBeGreaterThan(code.body.length);
  });
});
