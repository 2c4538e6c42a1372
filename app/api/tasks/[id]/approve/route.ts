import { taskSchema } from "@/lib/schemas/task";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { approveTask } from "@/server/reviews/comments";

export const dynamic = "force-dynamic";

export const POST = handler(async (_request, params) => respond(taskSchema, await approveTask(parseId(params))));
