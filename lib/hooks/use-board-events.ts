"use client";

import { useEffect, useRef, useSyncExternalStore } from "react";
import { mutate } from "swr";
import { checkSession, parseMessage } from "@/lib/api-client";
import { boardMessageSchema, type BoardMessage } from "@/lib/schemas/events";

/** One message of GET /api/events (lib/schemas/events.ts). */
export type BoardEvent = BoardMessage;

export type LiveStatus = "connecting" | "open" | "reconnecting";

type Listener = (event: BoardEvent) => void;

const EVENTS_URL = "/api/events";
const BATCH_MS = 250;
const MAX_BACKOFF_MS = 30_000;

/**
 * One EventSource per page, shared by every component that calls useBoardEvents. The browser
 * retries a dropped stream itself; a stream it gave up on (an error answer such as a 404)
 * is reopened here with backoff.
 */
const listeners = new Set<Listener>();
const statusListeners = new Set<() => void>();
let status: LiveStatus = "connecting";
let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let backoff = 2000;
let everOpened = false;
let pendingKeys = new Set<string>();
let batchTimer: ReturnType<typeof setTimeout> | null = null;

function setStatus(next: LiveStatus) {
  if (status === next) return;
  status = next;
  for (const listener of statusListeners) listener();
}

/**
 * Which SWR keys an event makes stale: exact keys, or prefixes ending in "*". Health and
 * resource probes are left alone: they are slow and no task event changes them.
 */
function keysFor(event: BoardEvent): string[] {
  if (event.type === "quota.changed") return ["/api/models", "/api/quota"];
  // A pool task not placed yet has no workspace.
  const workspace = event.workspaceId === null ? [] : [`/api/workspaces/${event.workspaceId}`];
  if (event.type === "workspace.changed") return ["/api/workspaces", ...workspace];
  const keys = ["/api/tasks?*", "/api/tasks/board?*", "/api/workspaces", ...workspace, `/api/tasks/${event.taskId}`, `/api/tasks/${event.taskId}/*`];
  if (event.type === "task.finished" || event.type === "task.merged") keys.push("/api/usage*");
  return keys;
}

function matches(key: string, pattern: string): boolean {
  return pattern.endsWith("*") ? key.startsWith(pattern.slice(0, -1)) : key === pattern;
}

/**
 * Paged lists (useSWRInfinite, the board's columns) by the key of their first page: SWR's
 * global mutate skips infinite keys, so a stale pattern refreshes them through their own mutate.
 */
const pagedLists = new Map<symbol, { firstKey: () => string | null; refresh: () => void }>();

export function registerPagedList(firstKey: () => string | null, refresh: () => void): () => void {
  const id = Symbol("paged-list");
  pagedLists.set(id, { firstKey, refresh });
  return () => void pagedLists.delete(id);
}

function revalidate(patterns: Iterable<string>) {
  const list = [...patterns];
  const stale = (key: unknown) => typeof key === "string" && list.some((pattern) => matches(key, pattern));
  void mutate(stale);
  for (const { firstKey, refresh } of pagedLists.values()) if (stale(firstKey())) refresh();
}

/** Refreshes every paged task list now (after this page changed a task itself). */
export function refreshTaskLists(): void {
  revalidate(["/api/tasks?*", "/api/tasks/board?*"]);
}

function queueRevalidation(event: BoardEvent) {
  for (const key of keysFor(event)) pendingKeys.add(key);
  if (batchTimer) return;
  batchTimer = setTimeout(() => {
    batchTimer = null;
    const keys = pendingKeys;
    pendingKeys = new Set();
    revalidate(keys);
  }, BATCH_MS);
}

function onMessage(message: MessageEvent<string>) {
  const event = parseMessage(boardMessageSchema, message.data, "board");
  if (!event) return;
  queueRevalidation(event);
  for (const listener of listeners) listener(event);
}

function connect() {
  if (source || typeof window === "undefined" || typeof EventSource === "undefined") return;
  const next = new EventSource(EVENTS_URL);
  source = next;
  next.onopen = () => {
    backoff = 2000;
    // After a gap, events may have been missed: refetch what is on screen.
    if (everOpened) revalidate(["/api/tasks*", "/api/workspaces", "/api/usage*", "/api/quota", "/api/models"]);
    everOpened = true;
    setStatus("open");
  };
  // The server names its events "board"; unnamed messages are accepted too.
  next.addEventListener("board", onMessage);
  next.onmessage = onMessage;
  next.onerror = () => {
    void checkSession();
    if (next.readyState === EventSource.CLOSED) {
      next.close();
      source = null;
      scheduleReconnect();
    }
    setStatus("reconnecting");
  };
}

function scheduleReconnect() {
  if (retryTimer || listeners.size === 0) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    if (listeners.size > 0) connect();
  }, backoff);
  backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
}

function disconnect() {
  source?.close();
  source = null;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  setStatus("connecting");
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) disconnect();
  };
}

function subscribeStatus(listener: () => void) {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

/**
 * Follows /api/events: revalidates the SWR keys an event touches and passes each event to
 * `onEvent`. Every caller shares one connection; it reconnects on its own.
 */
export function useBoardEvents(onEvent?: Listener): LiveStatus {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  useEffect(() => subscribe((event) => handler.current?.(event)), []);
  return useLiveStatus();
}

/** The state of the shared event stream, without subscribing to it. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeStatus, () => status, () => "connecting");
}
