import { taskDeleteQuerySchema, taskSchema, taskUpdateSchema } from "@/lib/schemas/task";
import { handler, noContent, parseBody, parseId, parseQuery } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { deleteTask } from "@/server/tasks/actions";
import { getTask, updateTask } from "@/server/tasks/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => respond(taskSchema, await getTask(parseId(params))));

export const PATCH = handler(async (request, params) => {
  const id = parseId(params);
  return respond(taskSchema, await updateTask(id, await parseBody(request, taskUpdateSchema)));
});

export const DELETE = handler(async (request, params) => {
  const id = parseId(params);
  const query = parseQuery(request, taskDeleteQuerySchema);
  await deleteTask(id, { deleteBranch: query.deleteBranch === "true" });
  return noContent();
});
