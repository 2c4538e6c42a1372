import { handler, parseId } from "@/server/http/handler";
import { retryTask } from "@/server/tasks/actions";

export const dynamic = "force-dynamic";

export const POST = handler(async (_request, params) => retryTask(parseId(params)));
