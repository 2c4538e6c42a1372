-- AlterTable
ALTER TABLE "QuotaState" ADD COLUMN "windows" TEXT NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "accountId" INTEGER;

-- AlterTable
ALTER TABLE "Task" ADD COLUMN "accountId" INTEGER;
ALTER TABLE "Task" ADD COLUMN "fallbackBackend" TEXT;

-- CreateTable
CREATE TABLE "Account" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "provider" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "configDir" TEXT,
    "env" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
