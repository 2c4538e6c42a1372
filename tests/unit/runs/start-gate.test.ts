import { describe, expect, it } from "vitest";
import { StartGate } from "@/server/runs/start-gate";

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("StartGate", () => {
  it("lets perMachine runs of a machine start at once, the others in the order they came, each machine on its own", async () => {
    const gate = new StartGate(2);
    const entered: string[] = [];
    const releases = new Map<string, () => void>();
    const enter = (machine: string, name: string) => gate.enter(machine).then((release) => {
      entered.push(name);
      releases.set(name, release);
    });
    for (const name of ["a1", "a2", "a3", "a4"]) void enter("local", name);
    void enter("host:22", "b1");
    await turn();
    expect(entered).toEqual(["a1", "a2", "b1"]);
    expect(gate.ahead("local")).toBe(4);
    releases.get("a2")!();
    releases.get("a2")!();
    await turn();
    // Released twice, counted once: a3 got the turn, a4 still waits.
    expect(entered).toEqual(["a1", "a2", "b1", "a3"]);
    releases.get("a1")!();
    await turn();
    expect(entered).toEqual(["a1", "a2", "b1", "a3", "a4"]);
    for (const name of ["a3", "a4", "b1"]) releases.get(name)!();
    expect(gate.ahead("local")).toBe(0);
    expect(gate.ahead("host:22")).toBe(0);
  });
});
