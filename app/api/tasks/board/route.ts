import { taskBoardQuerySchema, taskBoardSchema } from "@/lib/schemas/task";
import { handler, parseQuery } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { boardTasks } from "@/server/tasks/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (request) => respond(taskBoardSchema, await boardTasks(parseQuery(request, taskBoardQuerySchema))));
