import { handler, parseId } from "@/server/http/handler";
import { workspaceResources } from "@/server/resources/resources";
import { findWorkspace } from "@/server/workspaces/service";

export const dynamic = "force-dynamic";

/** Memory, load, CPUs and GPUs of a workspace's machine; probed at most every few seconds. */
export const GET = handler(async (_request, params) => workspaceResources(await findWorkspace(parseId(params))));
