import { workspaceHealthSchema } from "@/lib/schemas/health";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { workspaceHealth } from "@/server/resources/health";
import { findWorkspace } from "@/server/workspaces/service";

export const dynamic = "force-dynamic";

/** Reachability, git, tmux, agent CLIs and free disk of a workspace; probed at most every few seconds. */
export const GET = handler(async (_request, params) =>
  respond(workspaceHealthSchema, await workspaceHealth(await findWorkspace(parseId(params)))),
);
