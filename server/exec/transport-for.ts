import "server-only";
import type { Workspace } from "@/server/db/generated/client";
import { unprocessable } from "@/lib/errors";
import { LocalTransport } from "./local";
import type { Transport } from "./transport";

const local = new LocalTransport();

/** The transport that reaches a workspace's machine. */
export function transportFor(workspace: Pick<Workspace, "type">): Transport {
  if (workspace.type === "local") return local;
  throw unprocessable("workspace_type", `Workspaces of type ${workspace.type} cannot be reached by this server yet.`);
}

export function localTransport(): Transport {
  return local;
}
