import { taskContinueSchema, taskSchema } from "@/lib/schemas/task";
import { handler, parseBody, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { continueTask } from "@/server/tasks/actions";

export const dynamic = "force-dynamic";

export const POST = handler(async (request, params) => {
  const id = parseId(params);
  const { prompt } = await parseBody(request, taskContinueSchema);
  return respond(taskSchema, await continueTask(id, prompt));
});
