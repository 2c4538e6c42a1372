import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const alias = {
  "@": root,
  // Next's guard against client imports; outside Next it would throw on import.
  "server-only": fileURLToPath(new URL("./tests/fixtures/server-only-stub.ts", import.meta.url)),
};

export default defineConfig({
  test: {
    // Each integration file gets its own SQLite file and fake model server; two at a time on two cores.
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          // Run alone, one file at a time, after the rest: their figures are not measured beside other tests.
          // (scripts/test.sh runs the project "reliability" by itself, with --no-file-parallelism).
          exclude: ["tests/integration/reliability/**"],
          environment: "node",
          // Every route answer is checked against the OpenAPI document (tests/contract/).
          setupFiles: ["tests/contract/setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "reliability",
          include: ["tests/integration/reliability/**/*.test.ts"],
          environment: "node",
          setupFiles: ["tests/contract/setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
