-- CreateIndex: the scheduler's next wake-up, the earliest backoff end among queued tasks (server/scheduler/scheduler.ts nextDue).
CREATE INDEX "Task_status_notBefore_idx" ON "Task"("status", "notBefore");
