import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { createWorkspace } from "../helpers/engine";
import { git, jsonRequest, makeGitRepo, routeContext } from "../helpers/test-env";

/** A repository whose `origin` is a bare repository at `<dir>/remotes/acme/<name>.git`: the forge project acme/<name>. */
export async function repoWithRemote(dir: string, name: string): Promise<{ repo: string; workspaceId: number; project: string }> {
  const repo = makeGitRepo(dir, name);
  const bare = path.join(dir, "remotes", "acme", `${name}.git`);
  fs.mkdirSync(bare, { recursive: true });
  git(bare, "init", "-q", "--bare", "-b", "main");
  git(repo, "remote", "add", "origin", bare);
  return { repo, workspaceId: await createWorkspace(repo), project: `acme/${name}` };
}

/** A DONE task whose branch has one commit. */
export async function doneTaskWithBranch(repo: string, workspaceId: number, number: number): Promise<number> {
  const { db } = await import("@/server/db/client");
  const task = await db().task.create({
    data: { workspaceId, number, title: `Task ${number}`, prompt: `Change ${number}.`, backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", status: "DONE", checkState: "PASSED" },
  });
  git(repo, "checkout", "-q", "-b", `task-${task.id}`);
  fs.writeFileSync(path.join(repo, `file-${task.id}.txt`), `${number}\n`);
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", `change ${number}`);
  git(repo, "checkout", "-q", "main");
  return task.id;
}

export async function callTaskRoute(id: number, action: "pull-request" | "pull-request/refresh") {
  const route = action === "pull-request" ? await import("@/app/api/tasks/[id]/pull-request/route") : await import("@/app/api/tasks/[id]/pull-request/refresh/route");
  const response = await route.POST(jsonRequest(`/api/tasks/${id}/${action}`, "POST"), routeContext({ id: String(id) }));
  return { status: response.status, body: await response.json() };
}

/** Opens the task's pull request through the API and gives its number. */
export async function openPullRequest(id: number): Promise<number> {
  const opened = await callTaskRoute(id, "pull-request");
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  expect(opened.body.pullRequest.state).toBe("open");
  return Number(String(opened.body.pullRequest.url).split("/").pop());
}
