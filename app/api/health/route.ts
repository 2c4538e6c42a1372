import { healthReportSchema } from "@/lib/schemas/health";
import { handler } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { healthReport } from "@/server/health";

export const dynamic = "force-dynamic";

export const GET = handler(async () => {
  const report = respond(healthReportSchema, await healthReport());
  return Response.json(report, { status: report.status === "ok" ? 200 : 503 });
});
