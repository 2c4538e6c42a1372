-- AlterTable
ALTER TABLE "Task" ADD COLUMN "mcpTokenHash" TEXT;
ALTER TABLE "Task" ADD COLUMN "parentTaskId" INTEGER;

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN "agentMcp" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Workspace" ADD COLUMN "maxSubtasks" INTEGER NOT NULL DEFAULT 10;

-- CreateIndex
CREATE INDEX "Task_parentTaskId_idx" ON "Task"("parentTaskId");
