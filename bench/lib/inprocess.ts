/**
 * For benchmarks that call server modules in this process (the worktree and scheduler figures):
 * server modules import "server-only", which throws outside Next's server bundles, so that one
 * specifier resolves to an empty module here (as tests/fixtures/server-only-stub.ts does for vitest).
 * Import server modules dynamically, after `allowServerModules()`.
 */
import { register } from "node:module";

let registered = false;

export function allowServerModules(): void {
  if (registered) return;
  registered = true;
  const emptyModule = "data:text/javascript,export{}";
  register(
    `data:text/javascript,${encodeURIComponent(
      `export async function resolve(specifier, context, next) { return specifier === "server-only" ? { url: ${JSON.stringify(emptyModule)}, shortCircuit: true } : next(specifier, context); }`,
    )}`,
    import.meta.url,
  );
}
