import { taskSchema } from "@/lib/schemas/task";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { refreshTaskPullRequest } from "@/server/tasks/pull-request-refresh";

export const dynamic = "force-dynamic";

export const POST = handler(async (_request, params) => respond(taskSchema, await refreshTaskPullRequest(parseId(params))));
