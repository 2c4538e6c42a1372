import { processSingleton } from "@/server/singleton";

/**
 * Runs start a few at a time per machine: from the claimed task to its agent launched (its rows,
 * the worktree, the setup, the launch), at most `perMachine` runs of one machine are starting at
 * once, in the order they were dispatched; the others wait for their turn. Once launched, agents
 * run side by side up to the workspaces' limits as before. A task cancelled while it waits is
 * finished by the cancel (nothing supervises it yet) and does not start (runs/executor.ts).
 *
 * Why: a start is mostly CPU (git writing a worktree, a shell, tmux) and the server's own thread
 * (its rows, its spawner messages). Twelve starts at once on a 2-core machine made each of them,
 * and every request arriving meanwhile, wait behind all the others: `POST /api/tasks` p95 was
 * 130-189 ms under the 100-task load test against 74-81 ms with one start at a time, and the test
 * ended sooner (bench/README.md, "Runs start one at a time per machine"). A machine is
 * this one or an SSH host (its containers included), as the scheduler's hostKeyOf counts them.
 */
export class StartGate {
  private readonly machines = new Map<string, { starting: number; waiting: (() => void)[] }>();

  constructor(private readonly perMachine: number) {}

  /** Runs ahead of a new arrival on `machine`: starting, and waiting for their turn. */
  ahead(machine: string): number {
    const state = this.machines.get(machine);
    return state ? state.starting + state.waiting.length : 0;
  }

  /** Waits for a turn on `machine`, and returns its release (safe to call more than once). */
  async enter(machine: string): Promise<() => void> {
    let state = this.machines.get(machine);
    if (!state) {
      state = { starting: 0, waiting: [] };
      this.machines.set(machine, state);
    }
    const own = state;
    if (own.starting < this.perMachine) own.starting += 1;
    else await new Promise<void>((resolve) => own.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The turn passes straight to the next in line; the count stays.
      const next = own.waiting.shift();
      if (next) return next();
      own.starting -= 1;
      if (own.starting === 0) this.machines.delete(machine);
    };
  }
}

/** The process's gate, `perMachine` from the configuration (AI_SLAVE_STARTS_PER_MACHINE). */
export function startGate(perMachine: number): StartGate {
  return processSingleton("start-gate", () => new StartGate(perMachine));
}
