import { taskDiffSchema } from "@/lib/schemas/git";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { taskDiff } from "@/server/tasks/actions";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => respond(taskDiffSchema, await taskDiff(parseId(params))));
