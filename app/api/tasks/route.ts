import { taskCreateSchema, taskListQuerySchema, taskListSchema, taskSchema } from "@/lib/schemas/task";
import { handler, parseBody, parseQuery } from "@/server/http/handler";
import { respond, respondCreated } from "@/server/http/respond";
import { createTask, listTasks } from "@/server/tasks/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (request) => respond(taskListSchema, await listTasks(parseQuery(request, taskListQuerySchema))));

export const POST = handler(async (request) => respondCreated(taskSchema, await createTask(await parseBody(request, taskCreateSchema))));
