import "server-only";
import { BACKENDS, BACKEND_LABELS, BACKEND_PROVIDER, PERMISSION_MODES, DEFAULT_PERMISSION_MODE } from "@/lib/enums";
import { MODEL_CATALOGUE } from "@/lib/models";
import type { ModelsResponse } from "@/lib/schemas/models";
import { listQuotaStates } from "@/server/quota/service";
import { localRunnerStatus } from "@/server/runner/local-runner";
import { settings } from "@/server/settings";

/** The selectable models per backend, with the CLI's availability and the provider's quota state. */
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
      const provider = BACKEND_PROVIDER[backend];
      const agent = runner?.capabilities?.agents[backend];
      return {
        backend,
        label: BACKEND_LABELS[backend],
        provider,
        available: agent?.available ?? false,
        cliVersion: agent?.version ?? null,
        defaultModel: defaults[index]!,
        models: MODEL_CATALOGUE[backend].models,
        permissionModes: [...PERMISSION_MODES[backend]],
        defaultPermissionMode: DEFAULT_PERMISSION_MODE[backend],
        quota: quota.find((entry) => entry.provider === provider) ?? null,
      };
    }),
  };
}
