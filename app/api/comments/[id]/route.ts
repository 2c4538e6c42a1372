import { commentPatchSchema, commentSchema } from "@/lib/schemas/review";
import { handler, parseBody, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { setCommentResolved } from "@/server/reviews/comments";

export const dynamic = "force-dynamic";

export const PATCH = handler(async (request, params) => {
  const id = parseId(params);
  const { resolved } = await parseBody(request, commentPatchSchema);
  return respond(commentSchema, await setCommentResolved(id, resolved));
});
