import { z } from "zod";
import { handler, parseQuery } from "@/server/http/handler";
import { usageSummary } from "@/server/usage/service";

export const dynamic = "force-dynamic";

const querySchema = z.object({ days: z.coerce.number().int().min(1).max(366).default(7) }).strict();

export const GET = handler(async (request) => usageSummary(parseQuery(request, querySchema).days));
