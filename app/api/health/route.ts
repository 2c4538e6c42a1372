import { healthReportSchema, healthStatusSchema } from "@/lib/schemas/health";
import { handler } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { AUTHENTICATED_HEADER } from "@/server/http/gate";
import { databaseHealth, healthReport } from "@/server/health";

export const dynamic = "force-dynamic";

/**
 * Open to process supervisors: without the token only `{"status": ...}`, from the database's
 * answer alone. Such a poll, every few seconds, costs little and leaves the details' event-loop
 * lag window alone: only an authenticated read starts a new one.
 */
export const GET = handler(async (request) => {
  if (request.headers.get(AUTHENTICATED_HEADER) !== "1") {
    const database = await databaseHealth();
    return Response.json(respond(healthStatusSchema, { status: database.ok ? "ok" : "degraded" }), { status: database.ok ? 200 : 503 });
  }
  const report = respond(healthReportSchema, await healthReport());
  return Response.json(report, { status: report.status === "ok" ? 200 : 503 });
});
