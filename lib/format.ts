/** Display formatting shared by the pages: durations, token counts, money, bytes, dates. */

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`;
  const days = Math.floor(hours / 24);
  return `${days}d ${hours % 24}h`;
}

/** Time between two ISO instants; an open end means "until now". */
export function formatElapsed(start: string | null | undefined, end: string | null | undefined, now = Date.now()): string {
  if (!start) return "–";
  const to = end ? Date.parse(end) : now;
  return formatDuration(to - Date.parse(start));
}

export function formatTokens(count: number | null | undefined): string {
  if (count == null || !Number.isFinite(count)) return "–";
  if (count < 1000) return String(Math.round(count));
  if (count < 1_000_000) return `${(count / 1000).toFixed(count < 10_000 ? 1 : 0)}k`;
  if (count < 1_000_000_000) return `${(count / 1_000_000).toFixed(count < 10_000_000 ? 2 : 1)}M`;
  return `${(count / 1_000_000_000).toFixed(2)}B`;
}

export function formatCost(usd: number | null | undefined): string {
  if (usd == null || !Number.isFinite(usd)) return "–";
  if (usd === 0) return "$0.00";
  if (usd < 0.01) return "<$0.01";
  if (usd < 100) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString("en-US")}`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

export function formatPercent(part: number, whole: number): number {
  if (!whole || !Number.isFinite(part)) return 0;
  return Math.max(0, Math.min(100, (part / whole) * 100));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** "in 2h 10m" / "3m ago". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "–";
  const delta = Date.parse(iso) - now;
  if (Math.abs(delta) < 5000) return "just now";
  const abs = Math.abs(delta);
  // Past a minute, seconds are noise: "3m ago", "1h 58m".
  const text = (abs < 60_000 ? formatDuration(abs) : formatDuration(abs).replace(/ \d+s$/, "")).replace(/ 0+[smh]$/, "");
  return delta > 0 ? `in ${text}` : `${text} ago`;
}
