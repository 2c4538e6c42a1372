import { poolSchema, poolUpdateSchema } from "@/lib/schemas/pool";
import { handler, noContent, parseBody, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { deletePool, getPool, updatePool } from "@/server/pools/service";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => respond(poolSchema, await getPool(parseId(params))));

export const PATCH = handler(async (request, params) => {
  const id = parseId(params);
  return respond(poolSchema, await updatePool(id, await parseBody(request, poolUpdateSchema)));
});

export const DELETE = handler(async (_request, params) => {
  await deletePool(parseId(params));
  return noContent();
});
