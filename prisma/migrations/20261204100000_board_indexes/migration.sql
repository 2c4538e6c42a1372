-- CreateIndex
CREATE INDEX "Task_workspaceId_status_queuedAt_idx" ON "Task"("workspaceId", "status", "queuedAt");

-- CreateIndex
CREATE INDEX "Task_workspaceId_status_finishedAt_idx" ON "Task"("workspaceId", "status", "finishedAt");

-- CreateIndex
CREATE INDEX "Task_workspaceId_id_idx" ON "Task"("workspaceId", "id");
