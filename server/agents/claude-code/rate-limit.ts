/**
 * Claude Code's `rate_limit_event` stream-json line (printed for subscription logins, from the
 * API's `anthropic-ratelimit-unified-*` headers) to the account's windows. Pure.
 *
 *   {"type":"rate_limit_event","rate_limit_info":{"status":"allowed","resetsAt":1796010370,
 *    "rateLimitType":"five_hour","unifiedWindows":{"five_hour":{"utilization":0.95,
 *    "resetsAt":1796010370,"status":"allowed_warning"},"seven_day":{...}}}}
 */
import type { QuotaWindow } from "@/lib/schemas/quota";

type Json = Record<string, unknown>;

const WINDOW_OF: Record<string, QuotaWindow["window"]> = { five_hour: "5h", seven_day: "7d" };

const asObject = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const finite = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** Epoch seconds (or milliseconds) to ISO; null when absent or absurd. */
function isoOf(value: unknown): string | null {
  const number = finite(value);
  if (number === undefined || number <= 0) return null;
  const ms = number < 1e12 ? number * 1000 : number;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The windows the line reports (empty when it names none this server knows). */
export function parseRateLimitEvent(line: Json): QuotaWindow[] {
  const info = asObject(line.rate_limit_info);
  if (!info) return [];
  const windows: QuotaWindow[] = [];
  const unified = asObject(info.unifiedWindows);
  if (unified) {
    for (const [name, value] of Object.entries(unified)) {
      const window = WINDOW_OF[name];
      const entry = asObject(value);
      const utilization = finite(entry?.utilization);
      if (window && entry && utilization !== undefined && utilization >= 0) windows.push({ window, utilization, resetsAt: isoOf(entry.resetsAt) });
    }
    return windows;
  }
  // The single-window form: the window that decided the status.
  const window = WINDOW_OF[String(info.rateLimitType)];
  const utilization = finite(info.utilization);
  if (window && utilization !== undefined && utilization >= 0) windows.push({ window, utilization, resetsAt: isoOf(info.resetsAt) });
  return windows;
}

/** One line for the run log: "5-hour window 95% (resets 2026-11-30T14:00:00.000Z), weekly window 10% (...)". */
export function describeWindows(windows: QuotaWindow[]): string {
  const label = { "5h": "5-hour window", "7d": "weekly window" } as const;
  return windows.map((window) => `${label[window.window]} ${Math.round(window.utilization * 100)}%${window.resetsAt ? ` (resets ${window.resetsAt})` : ""}`).join(", ");
}
