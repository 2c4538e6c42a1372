import "server-only";
import type { ForgeTokenSource } from "@/lib/schemas/settings";
import { unprocessable } from "@/lib/errors";
import { settings } from "@/server/settings";
import type { ForgeKind } from "./remote";

/**
 * Which token and API URL a forge is called with. The token set on the settings page
 * (`githubToken`, `gitlabToken`) wins over the server's environment (`GITHUB_TOKEN`,
 * `GITLAB_TOKEN`): a user who sets one in the UI means that one. The token goes only into a
 * request header (server/forge/client.ts); it is never logged, put in an error or sent back.
 */

export interface ForgeConfig {
  apiUrl: string;
  token: string;
}

const DEFAULT_API: Record<ForgeKind, string> = { github: "https://api.github.com", gitlab: "https://gitlab.com/api/v4" };
const LABEL: Record<ForgeKind, string> = { github: "GitHub", gitlab: "GitLab" };
const ENV: Record<ForgeKind, { token: string; apiUrl: string }> = {
  github: { token: "GITHUB_TOKEN", apiUrl: "GITHUB_API_URL" },
  gitlab: { token: "GITLAB_TOKEN", apiUrl: "GITLAB_API_URL" },
};

async function forgeToken(forge: ForgeKind): Promise<{ token: string; source: ForgeTokenSource } | null> {
  const stored = forge === "github" ? await settings.githubToken() : await settings.gitlabToken();
  if (stored) return { token: stored, source: "settings" };
  const fromEnv = process.env[ENV[forge].token]?.trim();
  return fromEnv ? { token: fromEnv, source: "environment" } : null;
}

/** The forge's API URL (GITHUB_API_URL / GITLAB_API_URL, else the public one) and its token; 422 without a token. */
export async function forgeConfig(forge: ForgeKind): Promise<ForgeConfig> {
  const found = await forgeToken(forge);
  if (!found) {
    throw unprocessable("forge_token", `No ${LABEL[forge]} token: set one in Settings (${forge}Token) or ${ENV[forge].token} in the server's environment.`);
  }
  const apiUrl = process.env[ENV[forge].apiUrl]?.trim() || DEFAULT_API[forge];
  return { token: found.token, apiUrl: apiUrl.replace(/\/+$/, "") };
}

/** For GET /api/settings: whether each forge has a token, and where it comes from; never the token. */
export async function forgeTokenStatus() {
  const [github, gitlab] = await Promise.all([forgeToken("github"), forgeToken("gitlab")]);
  return {
    githubTokenSet: github !== null,
    githubTokenSource: github?.source ?? null,
    gitlabTokenSet: gitlab !== null,
    gitlabTokenSource: gitlab?.source ?? null,
  };
}
