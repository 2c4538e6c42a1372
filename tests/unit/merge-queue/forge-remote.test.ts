import { describe, expect, it } from "vitest";
import { forgeProjectOf } from "@/server/forge/remote";

describe("forgeProjectOf", () => {
  it("reads owner/repo from scp-like, ssh, https and local remotes", () => {
    expect(forgeProjectOf("git@github.com:acme/widgets.git")).toEqual({ forge: "github", path: "acme/widgets" });
    expect(forgeProjectOf("ssh://git@github.example:2222/acme/widgets.git")).toEqual({ forge: "github", path: "acme/widgets" });
    expect(forgeProjectOf("https://github.com/acme/widgets")).toEqual({ forge: "github", path: "acme/widgets" });
    expect(forgeProjectOf("/srv/git/acme/widgets.git")).toEqual({ forge: "github", path: "acme/widgets" });
  });

  it("a GitLab host keeps the whole group path", () => {
    expect(forgeProjectOf("git@gitlab.example.com:group/sub/project.git")).toEqual({ forge: "gitlab", path: "group/sub/project" });
    expect(forgeProjectOf("https://gitlab.com/group/project.git")).toEqual({ forge: "gitlab", path: "group/project" });
  });

  it("no project path: null", () => {
    expect(forgeProjectOf("https://github.com/")).toBeNull();
    expect(forgeProjectOf("repo")).toBeNull();
  });
});
