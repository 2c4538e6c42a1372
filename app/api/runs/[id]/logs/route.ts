import { runLogPage } from "@/server/events/log-replay";
import { logPageSchema, runLogsQuerySchema } from "@/lib/schemas/logs";
import { handler, parseId, parseQuery } from "@/server/http/handler";
import { respond } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** The stored log as JSON pages: `{ items: StoredLogEvent[], nextCursor }`, nextCursor null at the end. */
export const GET = handler(async (request, params) => {
  const id = parseId(params);
  const query = parseQuery(request, runLogsQuerySchema);
  return respond(logPageSchema, await runLogPage(id, query.after, query.limit));
});
