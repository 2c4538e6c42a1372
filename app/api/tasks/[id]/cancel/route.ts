import { handler, parseId } from "@/server/http/handler";
import { cancelTask } from "@/server/tasks/actions";

export const dynamic = "force-dynamic";

export const POST = handler(async (_request, params) => cancelTask(parseId(params)));
