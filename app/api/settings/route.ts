import { SETTING_RULES } from "@/lib/schemas/settings";
import { handler } from "@/server/http/handler";
import { listSettings } from "@/server/settings-api";

export const dynamic = "force-dynamic";

export const GET = handler(async () => ({
  values: await listSettings(),
  keys: SETTING_RULES.map((rule) => ({ pattern: rule.pattern.source, description: rule.description })),
}));
