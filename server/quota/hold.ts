import type { QuotaWindow } from "@/lib/schemas/quota";

/** What the scheduler needs of one account's stored quota row. */
export interface QuotaRowView {
  state: string;
  resetsAt: Date | null;
  windows: QuotaWindow[];
}

export interface Hold {
  until: Date;
  why: string;
}

export const WINDOW_LABEL: Record<QuotaWindow["window"], string> = { "5h": "5-hour window", "7d": "weekly window" };

/**
 * Whether new tasks are held off an account, and until when (pure). Held: the provider said it is
 * exhausted and the reset is ahead, or a window is at or above `threshold` (0..1) and resets
 * later. A window whose reset time has passed counts as reset; one without a reset time does not hold.
 */
export function holdOf(row: QuotaRowView | undefined, threshold: number, now: Date): Hold | null {
  if (!row) return null;
  const holds: Hold[] = [];
  if (row.state === "EXHAUSTED" && row.resetsAt && row.resetsAt > now) holds.push({ until: row.resetsAt, why: "exhausted" });
  for (const window of row.windows) {
    const resetsAt = window.resetsAt ? new Date(window.resetsAt) : null;
    if (!resetsAt || resetsAt <= now || window.utilization < threshold) continue;
    holds.push({ until: resetsAt, why: `${WINDOW_LABEL[window.window]} at ${Math.round(window.utilization * 100)}%` });
  }
  if (holds.length === 0) return null;
  // Free again only once every hold has passed.
  const until = new Date(Math.max(...holds.map((hold) => hold.until.getTime())));
  return { until, why: holds.map((hold) => hold.why).join(", ") };
}
