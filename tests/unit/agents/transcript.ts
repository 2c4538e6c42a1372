import { readFileSync } from "node:fs";
import type { LogEvent } from "@/lib/log-events";
import type { AgentStreamParser } from "@/server/agents/types";

/** A recorded transcript's non-empty lines (tests/fixtures/transcripts). */
export function transcript(name: string): string[] {
  return readFileSync(new URL(`../../fixtures/transcripts/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/** Feeds stdout lines, then stderr lines, through a fresh parser, as the executor would. */
export function replay(parser: AgentStreamParser, stdout: string[], stderr: string[] = []) {
  const events: LogEvent[] = [...stdout.flatMap((line) => parser.pushStdout(line)), ...stderr.flatMap((line) => parser.pushStderr(line))];
  return { parser, events };
}

export const ofKind = <K extends LogEvent["kind"]>(events: LogEvent[], kind: K) =>
  events.filter((event): event is Extract<LogEvent, { kind: K }> => event.kind === kind);
