import { runLogStreamQuerySchema } from "@/lib/schemas/logs";
import { parseRunCursor, runLogStream } from "@/server/events/log-replay";
import { handler, parseId, parseQuery } from "@/server/http/handler";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** SSE: the run's stored log, then live events, then `end`. Wire format: server/events/log-replay.ts. */
export const GET = handler(async (request, params) => {
  const id = parseId(params);
  const query = parseQuery(request, runLogStreamQuerySchema);
  // A browser's reconnect repeats the original URL: Last-Event-ID, when sent, is the newer position.
  const after = parseRunCursor(request.headers.get("last-event-id")) ?? query.after ?? 0;
  return runLogStream(request, id, after);
});
