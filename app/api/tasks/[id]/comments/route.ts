import { commentCreateSchema, commentListSchema, commentSchema } from "@/lib/schemas/review";
import { handler, parseBody, parseId } from "@/server/http/handler";
import { respond, respondCreated } from "@/server/http/respond";
import { createComment, listComments } from "@/server/reviews/comments";

export const dynamic = "force-dynamic";

export const GET = handler(async (_request, params) => respond(commentListSchema, { items: await listComments(parseId(params)), nextCursor: null }));

export const POST = handler(async (request, params) => {
  const id = parseId(params);
  return respondCreated(commentSchema, await createComment(id, await parseBody(request, commentCreateSchema)));
});
