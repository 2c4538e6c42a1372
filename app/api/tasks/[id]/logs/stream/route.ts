import { taskLogStreamQuerySchema } from "@/lib/schemas/logs";
import { parseTaskCursor, taskLogStream } from "@/server/events/log-replay";
import { handler, parseId, parseQuery } from "@/server/http/handler";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** SSE: the task's current run's log, then each newer run's (continue, retry). Format: server/events/log-replay.ts. */
export const GET = handler(async (request, params) => {
  const id = parseId(params);
  const query = parseQuery(request, taskLogStreamQuerySchema);
  const cursor = parseTaskCursor(request.headers.get("last-event-id")) ?? parseTaskCursor(query.after);
  return taskLogStream(request, id, cursor);
});
