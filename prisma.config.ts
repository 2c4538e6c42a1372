import path from "node:path";
import { defineConfig } from "prisma/config";

// Offline, Prisma cannot download its schema engine; `prisma generate` only needs the path to
// exist. A real engine path given by the user wins.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, "prisma", "schema-engine-unavailable.sh");

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  datasource: { url: process.env.DATABASE_URL ?? "file:./data/ai-slave.db" },
});
