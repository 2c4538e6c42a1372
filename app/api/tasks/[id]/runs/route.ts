import { handler, parseId } from "@/server/http/handler";
import { listRuns } from "@/server/runs/queries";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => ({ items: await listRuns(parseId(params)), nextCursor: null }));
