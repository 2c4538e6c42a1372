import { afterEach, describe, expect, it } from "vitest";
import { REFRESH_MS, forgetSavedLoginEnvs, savedLoginEnv } from "@/server/exec/ssh-login-env";

afterEach(() => forgetSavedLoginEnvs());

/** A save that resolves when told, counting its calls. */
function saver() {
  const calls: Array<(ok: boolean) => void> = [];
  return { calls, save: () => new Promise<boolean>((resolve) => calls.push(resolve)) };
}

describe("savedLoginEnv", () => {
  it("makes a host's first commands wait for one save, and the next ones use it without saving", async () => {
    const { calls, save } = saver();
    const first = [savedLoginEnv("h", save, 1_000), savedLoginEnv("h", save, 1_000), savedLoginEnv("h", save, 1_000)];
    expect(calls).toHaveLength(1);
    calls[0]!(true);
    expect(await Promise.all(first)).toEqual([true, true, true]);
    expect(await savedLoginEnv("h", save)).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it("saves a stale one again in the background, the commands meanwhile using the file", async () => {
    const { calls, save } = saver();
    const first = savedLoginEnv("h", save);
    calls[0]!(true);
    await first;
    const later = Date.now() + REFRESH_MS + 1;
    expect(await savedLoginEnv("h", save, later)).toBe(true);
    expect(await savedLoginEnv("h", save, later)).toBe(true);
    expect(calls).toHaveLength(2);
    // The second save failed (the home went read-only): the login shell from then on.
    calls[1]!(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await savedLoginEnv("h", save)).toBe(false);
  });

  it("runs the login shell when the save fails or throws, and tries again after a while", async () => {
    expect(await savedLoginEnv("h", () => Promise.reject(new Error("connection lost")))).toBe(false);
    let saves = 0;
    const save = async () => {
      saves += 1;
      return true;
    };
    expect(await savedLoginEnv("h", save)).toBe(false);
    expect(saves).toBe(0);
    await savedLoginEnv("h", save, Date.now() + REFRESH_MS + 1);
    expect(saves).toBe(1);
    // Hosts are apart.
    expect(await savedLoginEnv("other", save)).toBe(true);
  });
});
