import { taskSchema } from "@/lib/schemas/task";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { requestChanges } from "@/server/reviews/comments";

export const dynamic = "force-dynamic";

/** Sends every open comment to the agent as one follow-up. */
export const POST = handler(async (_request, params) => respond(taskSchema, await requestChanges(parseId(params))));
