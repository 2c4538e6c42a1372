import { handler, parseId } from "@/server/http/handler";
import { listRuns } from "@/server/tasks/runs";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => ({ items: await listRuns(parseId(params)), nextCursor: null }));
