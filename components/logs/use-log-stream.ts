"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api, checkSession, parseMessage } from "@/lib/api-client";
import type { StoredLogEvent, UsageFigures } from "@/lib/log-events";
import { runEndSchema, runStartSchema, storedLogEventSchema } from "@/lib/schemas/logs";
import { runSchema } from "@/lib/schemas/task";
import type { LogModel } from "./log-model";

/**
 * Follows a log stream (server/events/log-replay.ts has the wire format) into a LogModel.
 * EventSource reconnects by itself and sends Last-Event-ID, so the server continues where the
 * stream stopped; a stream the browser gave up on (an error answer) is reopened by hand with
 * `after=<last id>`. Events are applied in batches, a few per frame, not one render each.
 */

export type LogStreamState = "connecting" | "live" | "reconnecting" | "waiting" | "ended" | "failed";

const APPLY_EVERY_MS = 50;

interface Pending {
  runId: number;
  events: StoredLogEvent[];
}

export function useLogStream(model: LogModel, taskId: number, runId?: number): { state: LogStreamState; reconnect: () => void } {
  const [state, setState] = useState<LogStreamState>("connecting");
  const lastId = useRef<string | null>(null);
  const sourceRef = useRef<EventSource | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const url = runId !== undefined ? `/api/runs/${runId}/logs/stream` : `/api/tasks/${taskId}/logs/stream`;
    const source = new EventSource(lastId.current ? `${url}?after=${encodeURIComponent(lastId.current)}` : url);
    sourceRef.current = source;
    let pending: Pending[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    let currentRun = runId ?? 0;

    const apply = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const batches = pending;
      pending = [];
      for (const batch of batches) model.addEvents(batch.runId, batch.events);
    };
    const remember = (message: MessageEvent<string>) => {
      if (message.lastEventId) lastId.current = message.lastEventId;
    };
    const onLog = (message: MessageEvent<string>) => {
      remember(message);
      const event = parseMessage(storedLogEventSchema, message.data, "log");
      if (!event) return;
      const last = pending[pending.length - 1];
      if (last && last.runId === currentRun) last.events.push(event);
      else pending.push({ runId: currentRun, events: [event] });
      timer ??= setTimeout(apply, APPLY_EVERY_MS);
    };
    const onRun = (message: MessageEvent<string>) => {
      remember(message);
      apply();
      const start = parseMessage(runStartSchema, message.data, "run");
      if (!start) return;
      currentRun = start.runId;
      model.startRun(currentRun);
      setState("live");
    };
    const onEnd = (message: MessageEvent<string>) => {
      remember(message);
      apply();
      const end = parseMessage(runEndSchema, message.data, "end");
      if (!end) return;
      model.endRun(end.runId, end.status, end.errorClass);
      void loadRunUsage(end.runId).then((usage) => usage && model.setRunUsage(end.runId, usage));
      if (runId !== undefined) {
        // A run stream is over; without close() the browser would reconnect and replay the end.
        source.close();
        setState("ended");
      } else setState("waiting");
    };

    source.addEventListener("log", onLog);
    source.addEventListener("run", onRun);
    source.addEventListener("end", onEnd);
    source.onopen = () => setState((current) => (current === "waiting" ? current : "live"));
    source.onerror = () => {
      apply();
      void checkSession();
      setState(source.readyState === EventSource.CLOSED ? "failed" : "reconnecting");
    };
    return () => {
      apply();
      source.close();
      if (timer) clearTimeout(timer);
    };
  }, [model, taskId, runId, attempt]);

  const reconnect = useCallback(() => {
    sourceRef.current?.close();
    setState("connecting");
    setAttempt((count) => count + 1);
  }, []);

  return { state, reconnect };
}

async function loadRunUsage(runId: number): Promise<UsageFigures | null> {
  try {
    return (await api.get(`/api/runs/${runId}`, runSchema)).usage;
  } catch {
    return null;
  }
}
