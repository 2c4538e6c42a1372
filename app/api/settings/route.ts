import { SETTING_RULES, settingsResponseSchema } from "@/lib/schemas/settings";
import { forgeTokenStatus } from "@/server/forge/config";
import { handler } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { listSettings } from "@/server/settings-api";

export const dynamic = "force-dynamic";

export const GET = handler(async () =>
  respond(settingsResponseSchema, {
    values: await listSettings(),
    keys: SETTING_RULES.map((rule) => ({ pattern: rule.pattern.source, description: rule.description })),
    ...(await forgeTokenStatus()),
  }),
);
