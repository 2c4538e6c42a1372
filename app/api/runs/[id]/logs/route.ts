import { runLogPageJson } from "@/server/events/log-replay";
import { runLogsQuerySchema } from "@/lib/schemas/logs";
import { handler, parseId, parseQuery } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** The stored log as JSON pages: `{ items: StoredLogEvent[], nextCursor }`, nextCursor null at the end. */
export const GET = handler(async (request, params) => {
  const id = parseId(params);
  const query = parseQuery(request, runLogsQuerySchema);
  return new Response(await runLogPageJson(id, query.after, query.limit), { headers: { "content-type": "application/json" } });
});
