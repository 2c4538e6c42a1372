import "server-only";
import type { PullRequestState } from "@/lib/enums";
import { AppError, unprocessable } from "@/lib/errors";
import type { ForgeConfig } from "./config";
import type { ForgeKind, ForgeProject } from "./remote";

/**
 * Pull requests (GitHub) and merge requests (GitLab) through their REST APIs. The token
 * (server/forge/config.ts) travels only in a request header; API base URLs are configurable for
 * GitHub Enterprise and self-hosted GitLab. A refusal from the forge comes back as a 4xx with the forge's own message.
 */

export interface PullRequestInfo {
  url: string;
  number: number;
  state: PullRequestState;
}

export interface OpenPullRequest {
  head: string;
  base: string;
  title: string;
  body: string;
}

function headers(forge: ForgeKind, token: string): Record<string, string> {
  const auth: Record<string, string> = forge === "github" ? { authorization: `Bearer ${token}`, accept: "application/vnd.github+json" } : { "private-token": token };
  return { ...auth, "content-type": "application/json", "user-agent": "ai-slave" };
}

async function call(forge: ForgeKind, config: ForgeConfig, method: string, pathname: string, body?: unknown): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}${pathname}`, { method, headers: headers(forge, config.token), body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw unprocessable("forge_unreachable", hideToken(`${config.apiUrl} could not be reached: ${error instanceof Error ? error.message : String(error)}`, config.token));
  }
  const text = await response.text();
  const json = (() => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  })();
  if (response.ok) return json;
  // A forge that echoes the request back must not put the token into our error.
  const message = hideToken(forgeMessage(json) ?? (text.slice(0, 500) || response.statusText), config.token);
  if (response.status === 401 || response.status === 403) throw new AppError("forbidden:forge_auth", `The forge refused the token (${response.status}): ${message}`);
  throw unprocessable("forge_refused", `The forge refused the request (${response.status}): ${message}`);
}

function hideToken(text: string, token: string): string {
  return token ? text.split(token).join("[token]") : text;
}

/** GitHub: message plus errors[].message; GitLab: message (a string or a list) or error. */
function forgeMessage(json: Record<string, unknown>): string | null {
  const parts: string[] = [];
  const message = json.message;
  if (typeof message === "string") parts.push(message);
  else if (Array.isArray(message)) parts.push(...message.map(String));
  if (typeof json.error === "string") parts.push(json.error);
  if (Array.isArray(json.errors)) for (const error of json.errors) parts.push(typeof error === "string" ? error : String((error as { message?: unknown }).message ?? JSON.stringify(error)));
  return parts.length > 0 ? parts.join("; ") : null;
}

function githubState(json: Record<string, unknown>): PullRequestState {
  if (json.merged_at || json.merged === true) return "merged";
  return json.state === "closed" ? "closed" : "open";
}

function gitlabState(json: Record<string, unknown>): PullRequestState {
  return json.state === "merged" ? "merged" : json.state === "closed" || json.state === "locked" ? "closed" : "open";
}

export async function openPullRequest(project: ForgeProject, config: ForgeConfig, request: OpenPullRequest): Promise<PullRequestInfo> {
  if (project.forge === "github") {
    const json = await call("github", config, "POST", `/repos/${project.path}/pulls`, request);
    return { url: String(json.html_url), number: Number(json.number), state: githubState(json) };
  }
  const json = await call("gitlab", config, "POST", `/projects/${encodeURIComponent(project.path)}/merge_requests`, {
    source_branch: request.head, target_branch: request.base, title: request.title, description: request.body,
  });
  return { url: String(json.web_url), number: Number(json.iid), state: gitlabState(json) };
}

export async function fetchPullRequest(project: ForgeProject, config: ForgeConfig, number: number): Promise<PullRequestInfo> {
  if (project.forge === "github") {
    const json = await call("github", config, "GET", `/repos/${project.path}/pulls/${number}`);
    return { url: String(json.html_url), number, state: githubState(json) };
  }
  const json = await call("gitlab", config, "GET", `/projects/${encodeURIComponent(project.path)}/merge_requests/${number}`);
  return { url: String(json.web_url), number, state: gitlabState(json) };
}
