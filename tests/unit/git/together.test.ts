import { describe, expect, it } from "vitest";
import { together } from "@/server/git/run-git";

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const failLater = (ms: number, message: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message)), ms));

describe("together (reads sent at once)", () => {
  it("gives the values in the order the reads were given, whatever order they came back in", async () => {
    expect(await together([later(30, "a"), later(0, 2), later(10, true)])).toEqual(["a", 2, true]);
  });

  it("throws the first failure in the order given, not the first to arrive, and only once every read ended", async () => {
    let lastEnded = false;
    const slowRead = later(40, "slow").then((value) => {
      lastEnded = true;
      return value;
    });
    await expect(together([slowRead, failLater(20, "first in order"), failLater(0, "first to arrive")])).rejects.toThrow("first in order");
    expect(lastEnded).toBe(true);
  });
});
