/** Whether workspaces hold one repository (pure): every member shares a remote URL or a root commit with the first. */

export interface RepoIdentity {
  workspaceId: number;
  name: string;
  /** origin's URL, normalized; null when it has none. */
  remoteUrl: string | null;
  /** `git rev-list --max-parents=0 HEAD`. */
  rootCommits: string[];
}

/** `git@host:a/b.git`, `ssh://git@host/a/b`, `https://host/a/b.git` all become `host/a/b`. */
export function normalizeRemoteUrl(url: string): string | null {
  const trimmed = url.trim();
  if (!trimmed) return null;
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(trimmed);
  const parsed = scp ? `${scp[1]}/${scp[2]}` : trimmed.replace(/^[a-z+]+:\/\/(?:[^@/]+@)?/i, "");
  return parsed.replace(/\.git\/?$/, "").replace(/\/+$/, "").toLowerCase();
}

function sameRepository(a: RepoIdentity, b: RepoIdentity): boolean {
  if (a.remoteUrl && a.remoteUrl === b.remoteUrl) return true;
  return a.rootCommits.some((commit) => b.rootCommits.includes(commit));
}

/** The members that do not hold the first member's repository. */
export function strangers(members: RepoIdentity[]): RepoIdentity[] {
  const [first, ...rest] = members;
  return first ? rest.filter((member) => !sameRepository(first, member)) : [];
}
