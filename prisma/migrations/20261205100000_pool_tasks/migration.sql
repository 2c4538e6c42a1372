-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Task" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER,
    "poolId" INTEGER,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "permissionMode" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'TODO',
    "failureReason" TEXT,
    "waitingReason" TEXT,
    "notBefore" DATETIME,
    "branch" TEXT,
    "worktreePath" TEXT,
    "promptHistory" TEXT NOT NULL DEFAULT '[]',
    "nextRunKind" TEXT NOT NULL DEFAULT 'initial',
    "queuedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "currentRunId" INTEGER,
    "reviewBackend" TEXT,
    "reviewModel" TEXT,
    "checkState" TEXT NOT NULL DEFAULT 'NONE',
    "reviewState" TEXT NOT NULL DEFAULT 'NONE',
    "reviewedBy" TEXT,
    "setupDone" BOOLEAN NOT NULL DEFAULT false,
    "pendingPrompt" TEXT,
    "pendingCause" TEXT,
    "permissionDenials" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "mergedAt" DATETIME,
    "parentTaskId" INTEGER,
    "mcpTokenHash" TEXT,
    "dependsOn" TEXT NOT NULL DEFAULT '[]',
    "dependencyMode" TEXT NOT NULL DEFAULT 'merged',
    "changedFiles" TEXT NOT NULL DEFAULT '[]',
    "pullRequestUrl" TEXT,
    "pullRequestNumber" INTEGER,
    "pullRequestState" TEXT,
    "accountId" INTEGER,
    "fallbackBackend" TEXT,
    "gpus" INTEGER NOT NULL DEFAULT 0,
    "gpuIndices" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "Task_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Task_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "Pool" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Task" ("id", "workspaceId", "number", "title", "prompt", "backend", "model", "permissionMode", "status", "failureReason", "waitingReason", "notBefore", "branch", "worktreePath", "promptHistory", "nextRunKind", "queuedAt", "currentRunId", "reviewBackend", "reviewModel", "checkState", "reviewState", "reviewedBy", "setupDone", "pendingPrompt", "pendingCause", "permissionDenials", "createdAt", "updatedAt", "startedAt", "finishedAt", "mergedAt", "parentTaskId", "mcpTokenHash", "dependsOn", "dependencyMode", "changedFiles", "pullRequestUrl", "pullRequestNumber", "pullRequestState", "accountId", "fallbackBackend", "gpus", "gpuIndices") SELECT "id", "workspaceId", "number", "title", "prompt", "backend", "model", "permissionMode", "status", "failureReason", "waitingReason", "notBefore", "branch", "worktreePath", "promptHistory", "nextRunKind", "queuedAt", "currentRunId", "reviewBackend", "reviewModel", "checkState", "reviewState", "reviewedBy", "setupDone", "pendingPrompt", "pendingCause", "permissionDenials", "createdAt", "updatedAt", "startedAt", "finishedAt", "mergedAt", "parentTaskId", "mcpTokenHash", "dependsOn", "dependencyMode", "changedFiles", "pullRequestUrl", "pullRequestNumber", "pullRequestState", "accountId", "fallbackBackend", "gpus", "gpuIndices" FROM "Task";
DROP TABLE "Task";
ALTER TABLE "new_Task" RENAME TO "Task";
CREATE INDEX "Task_parentTaskId_idx" ON "Task"("parentTaskId");
CREATE INDEX "Task_status_queuedAt_idx" ON "Task"("status", "queuedAt");
CREATE INDEX "Task_workspaceId_status_queuedAt_idx" ON "Task"("workspaceId", "status", "queuedAt");
CREATE INDEX "Task_poolId_status_idx" ON "Task"("poolId", "status");
CREATE INDEX "Task_workspaceId_status_finishedAt_idx" ON "Task"("workspaceId", "status", "finishedAt");
CREATE INDEX "Task_workspaceId_id_idx" ON "Task"("workspaceId", "id");
CREATE UNIQUE INDEX "Task_workspaceId_number_key" ON "Task"("workspaceId", "number");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
