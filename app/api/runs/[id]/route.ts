import { handler, parseId } from "@/server/http/handler";
import { getRun } from "@/server/runs/queries";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => getRun(parseId(params)));
