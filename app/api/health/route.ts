import { handler } from "@/server/http/handler";
import { healthReport } from "@/server/health";

export const dynamic = "force-dynamic";

export const GET = handler(async () => {
  const report = await healthReport();
  return Response.json(report, { status: report.status === "ok" ? 200 : 503 });
});
