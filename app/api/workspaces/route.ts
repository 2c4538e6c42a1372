import { workspaceCreateSchema, workspaceListSchema, workspaceSchema } from "@/lib/schemas/workspace";
import { handler, parseBody } from "@/server/http/handler";
import { respond, respondCreated } from "@/server/http/respond";
import { createWorkspace, listWorkspaces } from "@/server/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = handler(async () => respond(workspaceListSchema, { items: await listWorkspaces(), nextCursor: null }));

export const POST = handler(async (request) => respondCreated(workspaceSchema, await createWorkspace(await parseBody(request, workspaceCreateSchema))));
