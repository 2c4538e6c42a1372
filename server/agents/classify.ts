/**
 * Pure error classification shared by the agent adapters: a CLI's error text (and the HTTP status
 * when the CLI reports one) to an ErrorClass, whether an automatic retry is worth it, and a quota
 * signal with the reset time when the provider names one.
 */
import type { ErrorClass } from "@/lib/enums";
import type { QuotaSignal } from "./types";

export interface ErrorClassification {
  errorClass: ErrorClass;
  /** Overloaded servers and dropped connections usually pass: retry soon. */
  transient: boolean;
  /** Set for QUOTA and RATE_LIMIT: the scheduler holds the provider back until `resetsAt`. */
  quota?: QuotaSignal;
}

// Checked before the rate-limit patterns: quota answers are 429s too and often say "limit".
const QUOTA_PATTERNS = [
  /insufficient[_ ]quota/i,
  /quota exceeded/i,
  /exceeded your current quota/i,
  /usage[_ ]limit/i,
  /credit balance (is )?too low/i,
  // Claude's account answer (recorded as the fake server's quota case) and plan limits.
  /account['’]s rate limit/i,
  /\b(\d+-hour|weekly|session|opus|sonnet) limit reached/i,
  /you['’]ve hit your limit/i,
  // Gemini's daily quota ("You have exhausted your daily quota on this model.").
  /exhausted your (daily |monthly )?quota/i,
];

const RATE_LIMIT_PATTERNS = [/rate[ _-]?limit/i, /too many requests/i, /last status: 429\b/i];

const NETWORK_PATTERNS = [
  /\b529\b/,
  /overloaded/i,
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EPIPE/,
  /connection (refused|failed|reset|error|closed)/i,
  /error sending request/i,
  /socket hang up/i,
  /timed out|timeout/i,
  // Gemini CLI with the server down; opencode's "Cannot connect to API".
  /fetch failed/i,
  /cannot connect to api|unable to connect/i,
  /\bUNAVAILABLE\b|service unavailable/i,
];

// Checked before the network patterns: a refused key is not worth a retry.
const AUTH_PATTERNS = [
  /\b(401|403)\b.*\b(unauthori[sz]ed|forbidden)\b/i,
  /invalid[_ ]api[_ ]key|incorrect api key|api key not valid|invalid x-api-key/i,
  /authentication[_ ](error|failed)|invalid auth method|not authenticated|please (log ?in|login|authenticate)/i,
  /\bunauthori[sz]ed\b/i,
];
const AUTH_STATUSES = new Set([401, 403]);

// Gateways and overloaded servers: the request itself was fine.
const TRANSIENT_STATUSES = new Set([502, 503, 504, 529]);

export function classifyError(message: string, httpStatus?: number | null, now: Date = new Date()): ErrorClassification {
  if (QUOTA_PATTERNS.some((pattern) => pattern.test(message))) {
    return { errorClass: "QUOTA", transient: false, quota: quotaSignal(message, now) };
  }
  if (httpStatus === 429 || RATE_LIMIT_PATTERNS.some((pattern) => pattern.test(message))) {
    return { errorClass: "RATE_LIMIT", transient: false, quota: quotaSignal(message, now) };
  }
  if ((httpStatus != null && AUTH_STATUSES.has(httpStatus)) || AUTH_PATTERNS.some((pattern) => pattern.test(message))) {
    return { errorClass: "AUTH", transient: false };
  }
  if ((httpStatus != null && TRANSIENT_STATUSES.has(httpStatus)) || NETWORK_PATTERNS.some((pattern) => pattern.test(message))) {
    return { errorClass: "NETWORK", transient: true };
  }
  return { errorClass: "UNKNOWN", transient: false };
}

function quotaSignal(message: string, now: Date): QuotaSignal {
  return { state: "EXHAUSTED", resetsAt: parseResetTime(message, now), message };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function unitMs(unit: string): number {
  const lower = unit.toLowerCase();
  if (lower.startsWith("ms") || lower.startsWith("milli")) return UNIT_MS.ms;
  return UNIT_MS[lower[0]] ?? UNIT_MS.s;
}

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/;
const SECONDS_FIELD = /resets?_in_seconds"?\s*[:=]\s*(\d+(?:\.\d+)?)/i;
const RETRY_AFTER_HEADER = /retry-after:\s*(\d+)/i;
const RELATIVE =
  /(?:try again|retry|resets?|available again|wait)\s+(?:in|after)\s+(\d+(?:\.\d+)?)\s*(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b/i;
// Claude Code's subscription limit: "Claude AI usage limit reached|1767225600" (epoch seconds).
const EPOCH_AFTER_PIPE = /limit reached\|(\d{10})\b/i;
// What comes before a reset time, then the hour, minutes and AM/PM of a clock reading.
const RESET_AT = String.raw`(?:try again at|resets? at|resets|available again at|until)\s+`;
const CLOCK = String.raw`(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?\b)?`;
const CLOCK_TIME = new RegExp(RESET_AT + CLOCK, "i");
// Codex names the day when the reset is not today: "try again at Dec 1st, 2026 12:12 AM".
const DATE_AND_CLOCK = new RegExp(RESET_AT + String.raw`([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(?:(\d{4}),?\s+)?` + CLOCK, "i");
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** When the limit in `message` lifts, if the message says; relative times count from `now`. */
export function parseResetTime(message: string, now: Date): Date | undefined {
  const iso = ISO_TIME.exec(message);
  if (iso) {
    const date = new Date(iso[0]);
    if (!Number.isNaN(date.getTime())) return date;
  }
  const seconds = SECONDS_FIELD.exec(message) ?? RETRY_AFTER_HEADER.exec(message);
  if (seconds) return new Date(now.getTime() + Number(seconds[1]) * 1000);
  const relative = RELATIVE.exec(message);
  if (relative) return new Date(now.getTime() + Number(relative[1]) * unitMs(relative[2]));
  const epoch = EPOCH_AFTER_PIPE.exec(message);
  if (epoch) return new Date(Number(epoch[1]) * 1000);
  const dated = DATE_AND_CLOCK.exec(message);
  const onDay = dated ? datedClockTime(dated, now) : undefined;
  if (onDay) return onDay;
  const clock = CLOCK_TIME.exec(message);
  if (clock) return nextClockTime(clock, now);
  return undefined;
}

/** The hour of a 12- or 24-hour clock reading, or undefined when it is not one. */
function hourOf(hourText: string, meridiem: string | undefined): number | undefined {
  let hour = Number(hourText);
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem.toLowerCase() === "p" ? 12 : 0);
  }
  return hour > 23 ? undefined : hour;
}

/** "Dec 1st, 2026 12:12 AM" in local time; without a year, the next such day from `now`. */
function datedClockTime([, monthText, dayText, yearText, hourText, minuteText, meridiem]: RegExpExecArray, now: Date): Date | undefined {
  const month = MONTHS.indexOf(monthText!.toLowerCase());
  const day = Number(dayText);
  const hour = hourOf(hourText!, meridiem);
  const minute = Number(minuteText);
  // A day needs a full clock reading ("12:12 AM"), not a bare hour.
  if (minuteText === undefined || month < 0 || day < 1 || day > 31 || hour === undefined || minute > 59) return undefined;
  const at = new Date(yearText ? Number(yearText) : now.getFullYear(), month, day, hour, minute, 0, 0);
  // A day that month does not have rolls over: not a date the CLI meant.
  if (at.getMonth() !== month) return undefined;
  if (!yearText && at.getTime() <= now.getTime()) at.setFullYear(at.getFullYear() + 1);
  return at;
}

/** "12:23 PM" means the next time the local clock shows 12:23 PM: today, or tomorrow if passed. */
function nextClockTime([, hourText, minuteText, meridiem]: RegExpExecArray, now: Date): Date | undefined {
  // A bare number ("resets 5") is too ambiguous to act on.
  if (minuteText === undefined && meridiem === undefined) return undefined;
  const hour = hourOf(hourText!, meridiem);
  const minute = Number(minuteText ?? 0);
  if (hour === undefined || minute > 59) return undefined;
  const at = new Date(now);
  at.setHours(hour, minute, 0, 0);
  if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
  return at;
}

const MAX_REASON_CHARS = 500;

/** The stderr line a person should read first: the first that mentions an error, else the last. */
export function stderrReason(lines: string[]): string | undefined {
  const meaningful = lines.map((line) => line.trim()).filter(Boolean);
  const line = meaningful.find((text) => /error/i.test(text)) ?? meaningful.at(-1);
  return line === undefined ? undefined : oneLine(line, MAX_REASON_CHARS);
}

/** Collapses whitespace and cuts to `max` characters: for summaries shown on one row. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
