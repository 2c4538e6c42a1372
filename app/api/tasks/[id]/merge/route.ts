import { taskMergeSchema } from "@/lib/schemas/task";
import { handler, parseBody, parseId } from "@/server/http/handler";
import { mergeTask } from "@/server/tasks/actions";

export const dynamic = "force-dynamic";

export const POST = handler(async (request, params) => {
  const id = parseId(params);
  return mergeTask(id, await parseBody(request, taskMergeSchema));
});
