import "server-only";
import { notFound } from "@/lib/errors";
import type { RunDto } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { toRunDto } from "@/server/db/serialize";
import { findTask } from "./service";

export async function listRuns(taskId: number): Promise<RunDto[]> {
  await findTask(taskId);
  const rows = await db().run.findMany({ where: { taskId }, orderBy: { id: "asc" } });
  return rows.map(toRunDto);
}

export async function getRun(runId: number): Promise<RunDto> {
  const row = await db().run.findUnique({ where: { id: runId } });
  if (!row) throw notFound("run", runId);
  return toRunDto(row);
}
