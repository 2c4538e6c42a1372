import "server-only";
import { BACKENDS } from "@/lib/enums";
import type { ModelsResponse } from "@/lib/schemas/models";
import { ADAPTERS } from "@/server/agents/registry";
import { listQuotaStates } from "@/server/quota/service";
import { localRunnerStatus } from "@/server/runner/local-runner";
import { settings } from "@/server/settings";

/**
 * Every backend as its adapter describes it (models, permission modes, provider), with the CLI's
 * availability and version on this machine and the provider's quota state.
 */
export async function listModels(): Promise<ModelsResponse> {
  const [quota, runner, defaults, defaultBackend] = await Promise.all([
    listQuotaStates(),
    localRunnerStatus(),
    Promise.all(BACKENDS.map((backend) => settings.defaultModel(backend))),
    settings.defaultBackend(),
  ]);
  return {
    defaultBackend,
    backends: BACKENDS.map((backend, index) => {
      const adapter = ADAPTERS[backend];
      const agent = runner?.capabilities?.agents[backend];
      return {
        backend,
        label: adapter.label,
        provider: adapter.provider,
        providerLabel: adapter.providerLabel,
        cliName: adapter.cliName,
        binEnvVar: adapter.binEnvVar,
        available: agent?.available ?? false,
        cliVersion: agent?.version ?? null,
        cliPath: agent?.path ?? null,
        defaultModel: defaults[index]!,
        builtInDefaultModel: adapter.models.default,
        models: adapter.models.options,
        freeFormModels: adapter.models.freeForm,
        permissionModes: [...adapter.permissionModes],
        defaultPermissionMode: adapter.defaultPermissionMode,
        costSource: adapter.reportsCost ? "reported" : "estimated",
        quota: quota.find((entry) => entry.provider === adapter.provider) ?? null,
      };
    }),
  };
}
