import type { WorkspaceDto } from "@/lib/schemas/workspace";

export const WORKSPACE_TYPE_LABELS = { local: "Local", ssh: "SSH", ssh_container: "SSH + container" } as const;

/** Where a workspace's repository lives, as one line: `user@host:port ▸ container ▸ /path`. */
export function workspaceLocation(workspace: Pick<WorkspaceDto, "type" | "host" | "port" | "user" | "containerName" | "path">): string {
  if (workspace.type === "local") return workspace.path;
  const user = workspace.user ? `${workspace.user}@` : "";
  const port = workspace.port && workspace.port !== 22 ? `:${workspace.port}` : "";
  const container = workspace.type === "ssh_container" && workspace.containerName ? ` ▸ ${workspace.containerName}` : "";
  return `${user}${workspace.host ?? "?"}${port}${container} ▸ ${workspace.path}`;
}
