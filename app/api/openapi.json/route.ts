import { openApiDocument } from "@/lib/openapi/document";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 document of every route, generated from the registry in lib/openapi/operations.ts. */
export const GET = handler(async () => openApiDocument());
