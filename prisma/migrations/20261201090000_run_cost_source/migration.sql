-- AlterTable
ALTER TABLE "Run" ADD COLUMN "costSource" TEXT;

-- Runs recorded before: Claude Code reported its cost; the others had none.
UPDATE "Run" SET "costSource" = 'reported' WHERE "backend" = 'claude_code' AND "status" <> 'RUNNING';
