import { handler, parseId } from "@/server/http/handler";
import { taskDiff } from "@/server/tasks/actions";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => taskDiff(parseId(params)));
