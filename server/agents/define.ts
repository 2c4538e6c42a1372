import { AGENT_BACKENDS, type Backend } from "@/lib/enums";
import type { AgentAdapter } from "./types";

/** An adapter with its label and provider taken from its line in AGENT_BACKENDS. */
export function defineAdapter(backend: Backend, parts: Omit<AgentAdapter, "backend" | "label" | "provider" | "providerLabel">): AgentAdapter {
  const { label, provider, providerLabel } = AGENT_BACKENDS[backend];
  return { backend, label, provider, providerLabel, ...parts };
}
