import { handler } from "@/server/http/handler";
import { listQuotaStates } from "@/server/quota/service";

export const dynamic = "force-dynamic";

export const GET = handler(async () => ({ items: await listQuotaStates(), nextCursor: null }));
