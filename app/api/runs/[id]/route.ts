import { runSchema } from "@/lib/schemas/task";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { getRun } from "@/server/tasks/runs";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => respond(runSchema, await getRun(parseId(params))));
