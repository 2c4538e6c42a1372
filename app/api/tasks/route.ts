import { taskCreateSchema, taskListQuerySchema } from "@/lib/schemas/task";
import { created, handler, parseBody, parseQuery } from "@/server/http/handler";
import { createTask, listTasks } from "@/server/tasks/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (request) => listTasks(parseQuery(request, taskListQuerySchema)));

export const POST = handler(async (request) => created(await createTask(await parseBody(request, taskCreateSchema))));
