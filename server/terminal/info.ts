import "server-only";
import type { WorkspaceType } from "@/lib/enums";
import type { TerminalInfo } from "@/lib/schemas/terminal";
import { terminalEndpoint } from "./endpoint-registry";
import { registerTerminalEndpoint } from "./register";
import { terminalTarget } from "./session";

/** What the terminal page shows; makes sure server.ts can route the WebSocket that follows. */
export async function terminalInfo(taskId: number): Promise<TerminalInfo> {
  if (!terminalEndpoint()) registerTerminalEndpoint();
  const { task, sessionName, cwd } = await terminalTarget(taskId);
  return {
    taskId: task.id,
    taskNumber: task.number,
    title: task.title,
    sessionName,
    cwd,
    workspace: { id: task.workspace.id, name: task.workspace.name, type: task.workspace.type as WorkspaceType },
    websocketPath: `/api/tasks/${task.id}/terminal`,
  };
}
