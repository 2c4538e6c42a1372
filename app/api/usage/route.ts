import { usageQuerySchema, usageReportSchema } from "@/lib/schemas/usage";
import { handler, parseQuery } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { usageSummary } from "@/server/usage/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (request) => respond(usageReportSchema, await usageSummary(parseQuery(request, usageQuerySchema).days)));
