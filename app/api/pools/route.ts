import { poolCreateSchema, poolListSchema, poolSchema } from "@/lib/schemas/pool";
import { handler, parseBody } from "@/server/http/handler";
import { respond, respondCreated } from "@/server/http/respond";
import { createPool, listPools } from "@/server/pools/service";

export const dynamic = "force-dynamic";

export const GET = handler(async () => respond(poolListSchema, { items: await listPools(), nextCursor: null }));

export const POST = handler(async (request) => respondCreated(poolSchema, await createPool(await parseBody(request, poolCreateSchema))));
