import "server-only";
import type { PullRequestState } from "@/lib/enums";
import { AppError, unprocessable } from "@/lib/errors";
import type { ForgeKind, ForgeProject } from "./remote";

/**
 * Pull requests (GitHub) and merge requests (GitLab) through their REST APIs. The token travels
 * only in a request header; API base URLs are configurable for GitHub Enterprise and
 * self-hosted GitLab. A refusal from the forge comes back as a 4xx with the forge's own message.
 */

export interface ForgeConfig {
  apiUrl: string;
  token: string;
}

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

const DEFAULT_API: Record<ForgeKind, string> = { github: "https://api.github.com", gitlab: "https://gitlab.com/api/v4" };

/**
 * The forge's API URL and token from the server's environment (GITHUB_TOKEN, GITLAB_TOKEN,
 * GITHUB_API_URL, GITLAB_API_URL). Not a setting: the settings API shows its values.
 */
export function forgeConfig(forge: ForgeKind): ForgeConfig {
  const env = forge === "github" ? { token: process.env.GITHUB_TOKEN, apiUrl: process.env.GITHUB_API_URL } : { token: process.env.GITLAB_TOKEN, apiUrl: process.env.GITLAB_API_URL };
  const name = forge === "github" ? "GITHUB_TOKEN" : "GITLAB_TOKEN";
  if (!env.token) throw unprocessable("forge_token", `No ${forge === "github" ? "GitHub" : "GitLab"} token: set ${name} in the server's environment.`);
  return { token: env.token, apiUrl: (env.apiUrl || DEFAULT_API[forge]).replace(/\/+$/, "") };
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
    throw unprocessable("forge_unreachable", `${config.apiUrl} could not be reached: ${error instanceof Error ? error.message : String(error)}`);
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
  const message = forgeMessage(json) ?? (text.slice(0, 500) || response.statusText);
  if (response.status === 401 || response.status === 403) throw new AppError("forbidden:forge_auth", `The forge refused the token (${response.status}): ${message}`);
  throw unprocessable("forge_refused", `The forge refused the request (${response.status}): ${message}`);
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
