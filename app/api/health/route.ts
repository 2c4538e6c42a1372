import { healthReportSchema, healthStatusSchema } from "@/lib/schemas/health";
import { handler } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { AUTHENTICATED_HEADER } from "@/server/http/gate";
import { healthReport } from "@/server/health";

export const dynamic = "force-dynamic";

/** Open to process supervisors: without the token only `{"status": ...}`; the details need it. */
export const GET = handler(async (request) => {
  const report = respond(healthReportSchema, await healthReport());
  const status = report.status === "ok" ? 200 : 503;
  if (request.headers.get(AUTHENTICATED_HEADER) !== "1") return Response.json(respond(healthStatusSchema, { status: report.status }), { status });
  return Response.json(report, { status });
});
