import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agentBinaries, agentTestEnv } from "../fixtures/agent-env";
import type { AgentTestEnv } from "../fixtures/agent-env";
import { ANTHROPIC_ANSWER_USAGE, OPENAI_ANSWER_USAGE, startFakeModelServer } from "../fixtures/fake-model-server";
import type { FakeModelServer } from "../fixtures/fake-model-server";

type JsonLine = Record<string, any>;

interface CliRun {
  code: number | null;
  lines: JsonLine[];
  stderr: string;
}

let server: FakeModelServer;
let agentEnv: AgentTestEnv;
let repo: string;

beforeAll(async () => {
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
});

afterAll(async () => {
  await server?.close();
  agentEnv?.cleanup();
});

beforeEach(() => {
  server.requests.length = 0;
  repo = mkdtempSync(join(tmpdir(), "fake-model-repo-"));
  execFileSync("git", ["init", "-q", repo]);
});

afterEach(() => rmSync(repo, { recursive: true, force: true }));

function runCli(bin: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const child = spawn(bin, args, {
    cwd: repo,
    // Next's types make NODE_ENV required in ProcessEnv; the CLIs must not get one.
    env: { ...agentEnv.env, ...options.env } as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  // Closed at once when there is no prompt to feed: Codex waits on an open stdin.
  child.stdin.end(options.stdin ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve) => {
    child.on("close", (code) => {
      const lines = stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as JsonLine);
      resolve({ code, lines, stderr });
    });
  });
  return { child, done };
}

const CLAUDE_ARGS = ["-p", "--output-format", "stream-json", "--verbose", "--model", "claude-sonnet-4-5", "--permission-mode", "acceptEdits", "--input-format", "text"];

function runClaude(prompt: string, extraArgs: string[] = [], env?: Record<string, string>) {
  return runCli(agentBinaries.claude, [...CLAUDE_ARGS, ...extraArgs], { stdin: prompt, env });
}

function runCodex(prompt: string) {
  const args = ["exec", "--json", "-m", "gpt-5.5", "--sandbox", "workspace-write", "-C", repo, "--skip-git-repo-check", prompt];
  return runCli(agentBinaries.codex, args);
}

function resumeCodex(threadId: string, prompt: string) {
  const args = ["exec", "resume", "--json", "-m", "gpt-5.5", "-c", 'sandbox_mode="workspace-write"', threadId, prompt];
  return runCli(agentBinaries.codex, args);
}

const resultOf = (run: CliRun) => run.lines.find((line) => line.type === "result");
const eventOf = (run: CliRun, type: string) => run.lines.find((line) => line.type === type);
const readRepoFile = (name: string) => readFileSync(join(repo, name), "utf8");
const requestText = (index: number) => JSON.stringify(server.requests[index].body);

describe("fake model server with the real claude CLI", () => {
  it("FILE writes the file through a Write tool call and ends with a success result", async () => {
    const run = await runClaude("Please create FILE:hello.txt").done;

    expect(run.code).toBe(0);
    expect(readRepoFile("hello.txt")).toBe("hello from fake model (user turn 1, 1 messages in context)\n");
    const result = resultOf(run);
    expect(result).toMatchObject({ subtype: "success", is_error: false, num_turns: 2, terminal_reason: "completed" });
    expect(result?.result).toMatch(/^Done\. Tool said: File created successfully at: .*hello\.txt/);
    expect(result?.usage).toMatchObject({
      input_tokens: 2 * ANTHROPIC_ANSWER_USAGE.input_tokens,
      output_tokens: 2 * ANTHROPIC_ANSWER_USAGE.output_tokens,
      cache_creation_input_tokens: 2 * ANTHROPIC_ANSWER_USAGE.cache_creation_input_tokens,
      cache_read_input_tokens: 2 * ANTHROPIC_ANSWER_USAGE.cache_read_input_tokens,
    });
    expect(server.requests.map((request) => request.path)).toEqual(["/v1/messages", "/v1/messages"]);
    expect(requestText(1)).toContain('"type":"tool_result"');
  });

  it("a resumed session sends the earlier turns to the server", async () => {
    const first = await runClaude("FILE:first.txt").done;
    const sessionId = eventOf(first, "system")?.session_id as string;
    server.requests.length = 0;

    const second = await runClaude("now FILE:second.txt", ["--resume", sessionId]).done;

    expect(second.code).toBe(0);
    expect(resultOf(second)?.session_id).toBe(sessionId);
    expect(readRepoFile("second.txt")).toBe("hello from fake model (user turn 2, 5 messages in context)\n");
    expect(requestText(0)).toContain("FILE:first.txt");
  });

  // With CLAUDE_CODE_MAX_RETRIES=0 nothing is retried, except that Claude Code repeats a plain
  // 400 with fewer beta headers (it suspects a gateway rejecting them): 6 requests in all.
  it.each([
    ["FAKE_429", 429, 1, /^API Error: Request rejected \(429\) · .*Please try again in 30 seconds\.$/],
    ["FAKE_QUOTA", 429, 1, /^API Error: Request rejected \(429\) · This request would exceed your account's rate limit\./],
    ["FAKE_USAGE_LIMIT", 400, 6, /^API Error: 400 You have reached your specified API usage limits\. You will regain access on \d{4}-\d\d-\d\d at \d\d:\d\d UTC\.$/],
    ["FAKE_CREDIT", 400, 1, /^Credit balance is too low$/],
    ["FAKE_529", 529, 1, /^API Error: 529 Overloaded\. This is a server-side issue/],
  ])("%s ends with an API error result", async (keyword, status, requests, message) => {
    const run = await runClaude(`trigger ${keyword}`).done;

    expect(run.code).toBe(1);
    const result = resultOf(run);
    expect(result).toMatchObject({ is_error: true, api_error_status: status, terminal_reason: "api_error" });
    expect(result?.result).toMatch(message);
    expect(server.requests).toHaveLength(requests);
  });

  it("failNext makes the first attempt fail and a retry succeed", async () => {
    server.failNext(1, "overloaded");

    const run = await runClaude("NO_TOOL hello", [], { CLAUDE_CODE_MAX_RETRIES: "1" }).done;

    expect(run.code).toBe(0);
    expect(run.lines.find((line) => line.subtype === "api_retry")).toMatchObject({ error_status: 529 });
    expect(resultOf(run)).toMatchObject({ is_error: false, result: "Fake answer to user turn 1." });
    expect(server.requests).toHaveLength(2);
  });

  it("SLEEP holds the answer open until the CLI is killed", async () => {
    const { child, done } = runClaude("SLEEP:60000 NO_TOOL");
    await waitFor(() => server.requests.length === 1);
    const started = Date.now();

    child.kill("SIGTERM");
    const run = await done;

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(resultOf(run)).toBeUndefined();
  });
});

describe("fake model server with the real codex CLI", () => {
  it("FILE writes the file through exec_command and completes the turn", async () => {
    const run = await runCodex("Please create FILE:hello.txt").done;

    expect(run.code).toBe(0);
    expect(readRepoFile("hello.txt")).toBe("hello from fake model (user turn 1, 4 messages in context)\n");
    const command = run.lines.find((line) => line.type === "item.completed" && line.item.type === "command_execution");
    expect(command?.item).toMatchObject({ exit_code: 0, status: "completed" });
    const message = run.lines.find((line) => line.type === "item.completed" && line.item.type === "agent_message");
    expect(message?.item.text).toMatch(/^Done\. Tool said: .*Process exited with code 0/s);
    expect(eventOf(run, "turn.completed")?.usage).toMatchObject({
      input_tokens: 2 * OPENAI_ANSWER_USAGE.input_tokens,
      cached_input_tokens: 2 * OPENAI_ANSWER_USAGE.cached_input_tokens,
      output_tokens: 2 * OPENAI_ANSWER_USAGE.output_tokens,
      reasoning_output_tokens: 2 * OPENAI_ANSWER_USAGE.reasoning_output_tokens,
    });
    expect(server.requests.map((request) => request.path)).toEqual(["/v1/responses", "/v1/responses"]);
    expect(requestText(1)).toContain('"type":"function_call_output"');
  });

  it("a resumed thread sends the earlier turns to the server", async () => {
    const first = await runCodex("FILE:first.txt").done;
    const threadId = eventOf(first, "thread.started")?.thread_id as string;
    server.requests.length = 0;

    const second = await resumeCodex(threadId, "now FILE:second.txt").done;

    expect(second.code).toBe(0);
    expect(eventOf(second, "thread.started")?.thread_id).toBe(threadId);
    expect(readRepoFile("second.txt")).toBe("hello from fake model (user turn 2, 8 messages in context)\n");
    expect(requestText(0)).toContain("FILE:first.txt");
  });

  it.each([
    ["FAKE_429", /^exceeded retry limit, last status: 429 Too Many Requests, request id: req_/],
    ["FAKE_QUOTA", /^Quota exceeded\. Check your plan and billing details\.$/],
    // The reset is an hour ahead: Codex names its day when that is tomorrow ("Dec 1st, 2026 12:12 AM").
    ["FAKE_USAGE_LIMIT", /^You’ve hit your usage limit\. .* try again at (?:[A-Z][a-z]{2} \d{1,2}(?:st|nd|rd|th), \d{4} )?\d{1,2}:\d\d [AP]M\.$/],
    ["FAKE_529", /^unexpected status 529 <unknown status code>: The server is overloaded \(fake\)\., url: http:\/\/127\.0\.0\.1:\d+\/v1\/responses/],
  ])("%s fails the turn with the message the transcripts show", async (keyword, message) => {
    const run = await runCodex(`trigger ${keyword}`).done;

    expect(run.code).toBe(1);
    expect(eventOf(run, "error")?.message).toMatch(message);
    expect(eventOf(run, "turn.failed")?.error.message).toMatch(message);
  });

  it("SLEEP holds the answer open until the CLI is killed", async () => {
    const { child, done } = runCodex("SLEEP:60000 NO_TOOL");
    await waitFor(() => server.requests.length === 1);
    const started = Date.now();

    child.kill("SIGTERM");
    const run = await done;

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(eventOf(run, "turn.completed")).toBeUndefined();
  });

  it("failNext is retried by codex itself (request_max_retries = 1)", async () => {
    server.failNext(1, "overloaded");

    const run = await runCodex("NO_TOOL hello").done;

    expect(run.code).toBe(0);
    expect(eventOf(run, "turn.completed")).toBeDefined();
    expect(server.requests).toHaveLength(2);
  });
});

describe("fake model server routes", () => {
  it("answers 404 to anything but the two model endpoints", async () => {
    const response = await fetch(`${server.url}/v1/models`);

    expect(response.status).toBe(404);
    expect(server.requests).toHaveLength(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
