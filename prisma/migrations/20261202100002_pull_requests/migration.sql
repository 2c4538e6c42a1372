-- AlterTable
ALTER TABLE "Task" ADD COLUMN "pullRequestNumber" INTEGER;
ALTER TABLE "Task" ADD COLUMN "pullRequestState" TEXT;
ALTER TABLE "Task" ADD COLUMN "pullRequestUrl" TEXT;
