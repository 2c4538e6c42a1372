-- CreateTable
CREATE TABLE "DeletedRunUsage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" INTEGER NOT NULL,
    "taskId" INTEGER NOT NULL,
    "taskNumber" INTEGER NOT NULL,
    "workspaceId" INTEGER,
    "workspaceName" TEXT,
    "taskModel" TEXT NOT NULL,
    "taskStatus" TEXT NOT NULL,
    "taskMerged" BOOLEAN NOT NULL,
    "backend" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL,
    "outputTokens" INTEGER NOT NULL,
    "cacheReadTokens" INTEGER NOT NULL,
    "cacheWriteTokens" INTEGER NOT NULL,
    "costUsd" REAL NOT NULL,
    "costSource" TEXT,
    "startedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "DeletedRunUsage_startedAt_idx" ON "DeletedRunUsage"("startedAt");
