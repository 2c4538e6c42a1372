import { taskSchema } from "@/lib/schemas/task";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { openTaskPullRequest } from "@/server/tasks/publish";

export const dynamic = "force-dynamic";

export const POST = handler(async (_request, params) => respond(taskSchema, await openTaskPullRequest(parseId(params))));
