import { mergeQueueReorderSchema, mergeQueueSchema } from "@/lib/schemas/merge-queue";
import { handler, parseBody, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { reorderMergeQueue, workspaceMergeQueue } from "@/server/tasks/merge-queue";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => respond(mergeQueueSchema, await workspaceMergeQueue(parseId(params))));

export const PUT = handler(async (request, params) => {
  const id = parseId(params);
  const { taskIds } = await parseBody(request, mergeQueueReorderSchema);
  return respond(mergeQueueSchema, await reorderMergeQueue(id, taskIds));
});
