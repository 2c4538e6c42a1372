-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN "setupScript" TEXT;
ALTER TABLE "Workspace" ADD COLUMN "setupTimeoutSec" INTEGER NOT NULL DEFAULT 900;
ALTER TABLE "Workspace" ADD COLUMN "checkCommand" TEXT;
ALTER TABLE "Workspace" ADD COLUMN "checkTimeoutSec" INTEGER NOT NULL DEFAULT 900;
ALTER TABLE "Workspace" ADD COLUMN "fixRounds" INTEGER NOT NULL DEFAULT 2;
ALTER TABLE "Workspace" ADD COLUMN "reviewBackend" TEXT;
ALTER TABLE "Workspace" ADD COLUMN "reviewModel" TEXT;
ALTER TABLE "Workspace" ADD COLUMN "reviewRounds" INTEGER NOT NULL DEFAULT 2;

-- AlterTable
ALTER TABLE "Task" ADD COLUMN "reviewBackend" TEXT;
ALTER TABLE "Task" ADD COLUMN "reviewModel" TEXT;
ALTER TABLE "Task" ADD COLUMN "checkState" TEXT NOT NULL DEFAULT 'NONE';
ALTER TABLE "Task" ADD COLUMN "reviewState" TEXT NOT NULL DEFAULT 'NONE';
ALTER TABLE "Task" ADD COLUMN "reviewedBy" TEXT;
ALTER TABLE "Task" ADD COLUMN "setupDone" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Task" ADD COLUMN "pendingPrompt" TEXT;
ALTER TABLE "Task" ADD COLUMN "pendingCause" TEXT;
ALTER TABLE "Task" ADD COLUMN "permissionDenials" TEXT NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "baseSha" TEXT;
ALTER TABLE "Run" ADD COLUMN "cause" TEXT;
ALTER TABLE "Run" ADD COLUMN "checkState" TEXT;
ALTER TABLE "Run" ADD COLUMN "checkExitCode" INTEGER;
ALTER TABLE "Run" ADD COLUMN "checkDurationMs" INTEGER;
ALTER TABLE "Run" ADD COLUMN "checkOutputTail" TEXT;
ALTER TABLE "Run" ADD COLUMN "reviewVerdict" TEXT;
ALTER TABLE "Run" ADD COLUMN "reviewSummary" TEXT;
ALTER TABLE "Run" ADD COLUMN "reviewFindings" TEXT;
ALTER TABLE "Run" ADD COLUMN "reviewRaw" TEXT;
ALTER TABLE "Run" ADD COLUMN "permissionDenials" TEXT NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "ReviewComment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "taskId" INTEGER NOT NULL,
    "runId" INTEGER,
    "file" TEXT,
    "startLine" INTEGER,
    "endLine" INTEGER,
    "side" TEXT NOT NULL DEFAULT 'new',
    "author" TEXT NOT NULL,
    "severity" TEXT,
    "body" TEXT NOT NULL,
    "anchor" TEXT,
    "resolved" BOOLEAN NOT NULL DEFAULT false,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ReviewComment_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReviewComment_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ReviewComment_taskId_idx" ON "ReviewComment"("taskId");
