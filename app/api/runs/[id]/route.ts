import { handler, parseId } from "@/server/http/handler";
import { getRun } from "@/server/tasks/runs";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => getRun(parseId(params)));
