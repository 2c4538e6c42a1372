import { taskChainResultSchema, taskChainSchema } from "@/lib/schemas/task";
import { handler, parseBody } from "@/server/http/handler";
import { respondCreated } from "@/server/http/respond";
import { createTaskChain } from "@/server/tasks/service";

export const dynamic = "force-dynamic";

export const POST = handler(async (request) => {
  const { tasks } = await parseBody(request, taskChainSchema);
  return respondCreated(taskChainResultSchema, { items: await createTaskChain(tasks) });
});
