import { badRequest } from "@/lib/errors";
import { settingKeySchema, settingSavedSchema, settingValueBodySchema } from "@/lib/schemas/settings";
import { handler, noContent, parseBody } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { deleteSetting, putSetting } from "@/server/settings-api";

export const dynamic = "force-dynamic";

function parseKey(params: Record<string, string | string[] | undefined>): string {
  const parsed = settingKeySchema.safeParse(params.key);
  if (!parsed.success) throw badRequest("setting_key", `"${String(params.key)}" is not a setting that can be changed.`);
  return parsed.data;
}

export const PUT = handler(async (request, params) => {
  const key = parseKey(params);
  const { value } = await parseBody(request, settingValueBodySchema);
  return respond(settingSavedSchema, await putSetting(key, value));
});

export const DELETE = handler(async (_request, params) => {
  await deleteSetting(parseKey(params));
  return noContent();
});
