/**
 * Committing the agent's leftovers over a connection that drops: tried again while the host may
 * come back, never for a failure that is not the network's, and given up once the budget is spent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { overDroppedConnections } from "@/server/runs/commit-leftovers";

function sshError(code: string): Error {
  const error = new Error(`ssh ${code}`) as Error & { code: string };
  error.name = "SshError";
  error.code = code;
  return error;
}

/** A step that fails with the given errors first, then returns "done". */
function failingFirst(...errors: Error[]) {
  let calls = 0;
  const step = async () => {
    const error = errors[calls];
    calls += 1;
    if (error) throw error;
    return "done";
  };
  return { step, calls: () => calls };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("overDroppedConnections", () => {
  it("tries again after dropped connections and refused channels, waiting longer each time", async () => {
    const { step, calls } = failingFirst(sshError("connect"), sshError("channel"), sshError("connect"), sshError("connect"), sshError("connect"));
    const waits: number[] = [];
    const result = overDroppedConnections(step, 60_000, (_error, delayMs) => waits.push(delayMs));
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe("done");
    expect(calls()).toBe(6);
    expect(waits).toEqual([1_000, 3_000, 6_000, 10_000, 10_000]);
  });

  it("does not repeat a failure that is not the network's", async () => {
    const { step, calls } = failingFirst(new Error("the worktree is not valid"));
    await expect(overDroppedConnections(step, 60_000, () => undefined)).rejects.toThrow("the worktree is not valid");
    expect(calls()).toBe(1);
  });

  it("gives up when the next wait would pass the budget", async () => {
    const { step, calls } = failingFirst(...Array.from({ length: 20 }, () => sshError("connect")));
    const result = overDroppedConnections(step, 12_000, () => undefined);
    const settled = result.catch((error: Error) => error);
    await vi.runAllTimersAsync();
    expect(((await settled) as Error).message).toBe("ssh connect");
    // 1 s + 3 s + 6 s = 10 s; a fourth wait of 10 s would end past 12 s.
    expect(calls()).toBe(4);
  });
});
