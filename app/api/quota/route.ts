import { quotaListSchema } from "@/lib/schemas/quota";
import { handler } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { listQuotaStates } from "@/server/quota/service";

export const dynamic = "force-dynamic";

export const GET = handler(async () => respond(quotaListSchema, { items: await listQuotaStates(), nextCursor: null }));
