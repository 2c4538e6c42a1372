/**
 * Resolves a failed migration, as `prisma migrate resolve` does, for machines that cannot
 * download Prisma's schema engine. Uses DATABASE_URL like the server.
 *   npx tsx scripts/migrate-resolve.ts --rolled-back <migration>   the next start applies it anew
 *   npx tsx scripts/migrate-resolve.ts --applied <migration>       its changes were made by hand
 */
import path from "node:path";
import nextEnv from "@next/env";
import { loadConfig } from "../server/config";
import { resolveMigration } from "../server/db/migrate";

nextEnv.loadEnvConfig(process.cwd());
const [flag, name] = process.argv.slice(2);
if ((flag !== "--rolled-back" && flag !== "--applied") || !name) {
  console.error("Usage: npx tsx scripts/migrate-resolve.ts --rolled-back|--applied <migration name>");
  process.exit(2);
}
const settings = loadConfig();
try {
  resolveMigration(settings.databaseFile, path.join(settings.projectRoot, "prisma", "migrations"), name, flag === "--applied" ? "applied" : "rolled-back");
  console.log(`Migration ${name} is marked ${flag.slice(2)} in ${settings.databaseFile}.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
