import { accountSchema, accountUpdateSchema } from "@/lib/schemas/account";
import { deleteAccount, updateAccount } from "@/server/accounts/service";
import { handler, noContent, parseBody, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";

export const dynamic = "force-dynamic";

export const PATCH = handler(async (request, params) => {
  const id = parseId(params);
  return respond(accountSchema, await updateAccount(id, await parseBody(request, accountUpdateSchema)));
});

export const DELETE = handler(async (_request, params) => {
  await deleteAccount(parseId(params));
  return noContent();
});
