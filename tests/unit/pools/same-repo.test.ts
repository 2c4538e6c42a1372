import { describe, expect, it } from "vitest";
import { normalizeRemoteUrl, strangers, type RepoIdentity } from "@/server/pools/same-repo";

describe("same repository", () => {
  it("normalizes the usual spellings of one remote", () => {
    const urls = ["git@github.com:acme/app.git", "ssh://git@github.com/acme/app", "https://github.com/acme/app.git", "https://user@GitHub.com/acme/app/"];
    expect(new Set(urls.map(normalizeRemoteUrl))).toEqual(new Set(["github.com/acme/app"]));
    expect(normalizeRemoteUrl("/srv/git/app.git")).toBe("/srv/git/app");
    expect(normalizeRemoteUrl("  ")).toBeNull();
  });

  it("accepts a shared remote or a shared root commit, and names the others", () => {
    const member = (workspaceId: number, remoteUrl: string | null, rootCommits: string[]): RepoIdentity => ({ workspaceId, name: `ws${workspaceId}`, remoteUrl, rootCommits });
    const first = member(1, "github.com/acme/app", ["aaa"]);
    expect(strangers([first, member(2, "github.com/acme/app", ["zzz"]), member(3, null, ["aaa"]), member(4, "github.com/acme/other", ["bbb"]), member(5, null, [])])).toEqual([
      member(4, "github.com/acme/other", ["bbb"]),
      member(5, null, []),
    ]);
    expect(strangers([first])).toEqual([]);
  });
});
