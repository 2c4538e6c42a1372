import { z } from "zod";
import { runLogPage } from "@/server/events/log-replay";
import { logPageSchema } from "@/lib/schemas/logs";
import { handler, parseId, parseQuery } from "@/server/http/handler";
import { respond } from "@/server/http/respond";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

/** The stored log as JSON pages: `{ items: StoredLogEvent[], nextCursor }`, nextCursor null at the end. */
export const GET = handler(async (request, params) => {
  const id = parseId(params);
  const query = parseQuery(request, querySchema);
  return respond(logPageSchema, await runLogPage(id, query.after, query.limit));
});
