import { runListSchema } from "@/lib/schemas/task";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { listRuns } from "@/server/tasks/runs";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => respond(runListSchema, { items: await listRuns(parseId(params)), nextCursor: null }));
