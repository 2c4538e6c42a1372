import { workspaceSchema, workspaceUpdateSchema } from "@/lib/schemas/workspace";
import { handler, noContent, parseBody, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { deleteWorkspace, getWorkspace, updateWorkspace } from "@/server/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => respond(workspaceSchema, await getWorkspace(parseId(params))));

export const PATCH = handler(async (request, params) => {
  const id = parseId(params);
  return respond(workspaceSchema, await updateWorkspace(id, await parseBody(request, workspaceUpdateSchema)));
});

export const DELETE = handler(async (_request, params) => {
  await deleteWorkspace(parseId(params));
  return noContent();
});
