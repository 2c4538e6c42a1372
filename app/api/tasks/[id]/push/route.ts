import { taskPushResultSchema } from "@/lib/schemas/task";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { pushTask } from "@/server/tasks/publish";

export const dynamic = "force-dynamic";

export const POST = handler(async (_request, params) => respond(taskPushResultSchema, await pushTask(parseId(params))));
