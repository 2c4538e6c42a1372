import { BACKEND_LABELS, type Backend } from "@/lib/enums";
import type { BackendInfo } from "@/lib/hooks/use-models";

/** The backend's name as /api/models gives it, or the built-in one while that loads. */
export function backendLabel(backends: BackendInfo[] | undefined, backend: Backend): string {
  return backends?.find((entry) => entry.backend === backend)?.label ?? BACKEND_LABELS[backend];
}
