import { mergeOutcomeSchema, taskMergeSchema } from "@/lib/schemas/task";
import { handler, parseBody, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { mergeTask } from "@/server/tasks/actions";

export const dynamic = "force-dynamic";

export const POST = handler(async (request, params) => {
  const id = parseId(params);
  return respond(mergeOutcomeSchema, await mergeTask(id, await parseBody(request, taskMergeSchema)));
});
