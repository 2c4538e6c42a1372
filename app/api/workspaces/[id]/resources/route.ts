import { hostResourcesSchema } from "@/lib/schemas/health";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { workspaceResources } from "@/server/resources/resources";
import { findWorkspace } from "@/server/workspaces/service";

export const dynamic = "force-dynamic";

/** Memory, load, CPUs and GPUs of a workspace's machine; probed at most every few seconds. */
export const GET = handler(async (_request, params) =>
  respond(hostResourcesSchema, await workspaceResources(await findWorkspace(parseId(params)))),
);
