-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN "autoMerge" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Workspace" ADD COLUMN "autoResolve" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "Workspace" ADD COLUMN "gitRemote" TEXT NOT NULL DEFAULT 'origin';
ALTER TABLE "Workspace" ADD COLUMN "updateStrategy" TEXT NOT NULL DEFAULT 'rebase';

-- CreateTable
CREATE TABLE "MergeQueueEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "taskId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "step" TEXT NOT NULL DEFAULT 'waiting',
    "reason" TEXT,
    "originalTip" TEXT,
    "baseSha" TEXT,
    "landedSha" TEXT,
    "conflictFiles" TEXT NOT NULL DEFAULT '[]',
    "resolveRuns" INTEGER NOT NULL DEFAULT 0,
    "fixRuns" INTEGER NOT NULL DEFAULT 0,
    "deleteBranch" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    CONSTRAINT "MergeQueueEntry_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "MergeQueueEntry_workspaceId_state_position_idx" ON "MergeQueueEntry"("workspaceId", "state", "position");

-- CreateIndex
CREATE INDEX "MergeQueueEntry_taskId_idx" ON "MergeQueueEntry"("taskId");
