/** Which forge a git remote lives on, and its project path, read from the remote's URL. Pure. */

export type ForgeKind = "github" | "gitlab";

export interface ForgeProject {
  forge: ForgeKind;
  /** "owner/repo" (GitHub) or the project's full path (GitLab, groups included). */
  path: string;
}

/**
 * `git@host:owner/repo.git`, `ssh://git@host[:port]/owner/repo.git`, `https://host/owner/repo`
 * and local paths (`/srv/git/owner/repo.git`, for tests and mirrors) all give owner/repo from
 * their last segments; a host with "gitlab" in its name (or GitLab forced) is GitLab, any other GitHub.
 */
export function forgeProjectOf(url: string, forced?: ForgeKind): ForgeProject | null {
  let host = "";
  let pathPart = url;
  const scp = /^[^/@]+@([^:/]+):(.+)$/.exec(url);
  if (scp) {
    host = scp[1]!;
    pathPart = scp[2]!;
  } else if (/^[a-z+]+:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      host = parsed.hostname;
      pathPart = parsed.pathname;
    } catch {
      return null;
    }
  }
  const segments = pathPart.replace(/\.git\/?$/, "").split("/").filter(Boolean);
  const forge: ForgeKind = forced ?? (host.includes("gitlab") ? "gitlab" : "github");
  if (segments.length < 2) return null;
  return { forge, path: forge === "gitlab" && host ? segments.join("/") : segments.slice(-2).join("/") };
}
