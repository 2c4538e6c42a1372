import { workspaceCreateSchema } from "@/lib/schemas/workspace";
import { created, handler, parseBody } from "@/server/http/handler";
import { createWorkspace, listWorkspaces } from "@/server/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = handler(async () => ({ items: await listWorkspaces(), nextCursor: null }));

export const POST = handler(async (request) => created(await createWorkspace(await parseBody(request, workspaceCreateSchema))));
