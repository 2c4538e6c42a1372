import { accountCreateSchema, accountListSchema, accountSchema } from "@/lib/schemas/account";
import { createAccount, listAccounts } from "@/server/accounts/service";
import { handler, parseBody } from "@/server/http/handler";
import { respond, respondCreated } from "@/server/http/respond";

export const dynamic = "force-dynamic";

export const GET = handler(async () => respond(accountListSchema, { items: await listAccounts(), nextCursor: null }));

export const POST = handler(async (request) => respondCreated(accountSchema, await createAccount(await parseBody(request, accountCreateSchema))));
