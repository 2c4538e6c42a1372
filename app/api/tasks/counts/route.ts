import { taskCountsQuerySchema, taskCountsSchema } from "@/lib/schemas/task";
import { handler, parseQuery } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { countTasks } from "@/server/tasks/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (request) => respond(taskCountsSchema, await countTasks(parseQuery(request, taskCountsQuerySchema))));
