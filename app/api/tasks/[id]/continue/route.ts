import { taskContinueSchema } from "@/lib/schemas/task";
import { handler, parseBody, parseId } from "@/server/http/handler";
import { continueTask } from "@/server/tasks/actions";

export const dynamic = "force-dynamic";

export const POST = handler(async (request, params) => {
  const id = parseId(params);
  const { prompt } = await parseBody(request, taskContinueSchema);
  return continueTask(id, prompt);
});
