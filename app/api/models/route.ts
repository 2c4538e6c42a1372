import { handler } from "@/server/http/handler";
import { listModels } from "@/server/models";

export const dynamic = "force-dynamic";

export const GET = handler(async () => listModels());
