import { modelsResponseSchema } from "@/lib/schemas/models";
import { handler } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { listModels } from "@/server/models";

export const dynamic = "force-dynamic";

export const GET = handler(async () => respond(modelsResponseSchema, await listModels()));
