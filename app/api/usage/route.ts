import { usageQuerySchema } from "@/lib/schemas/usage";
import { handler, parseQuery } from "@/server/http/handler";
import { usageSummary } from "@/server/usage/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (request) => usageSummary(parseQuery(request, usageQuerySchema).days));
