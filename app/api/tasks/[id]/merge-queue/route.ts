import { mergeQueueEnqueueSchema } from "@/lib/schemas/merge-queue";
import { taskSchema } from "@/lib/schemas/task";
import { handler, parseBody, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { dequeueTask, enqueueTask } from "@/server/tasks/merge-queue";

export const dynamic = "force-dynamic";

export const POST = handler(async (request, params) => {
  const id = parseId(params);
  return respond(taskSchema, await enqueueTask(id, await parseBody(request, mergeQueueEnqueueSchema)));
});

export const DELETE = handler(async (_request, params) => respond(taskSchema, await dequeueTask(parseId(params))));
