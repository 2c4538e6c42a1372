import { boardMessageSchema, type BoardMessage } from "@/lib/schemas/events";
import { sseResponse } from "@/server/events/sse";
import { handler } from "@/server/http/handler";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The message's JSON as the schema shapes it; an event that fails it (a server bug) is logged, not sent. */
function boardData(event: BoardMessage): string | null {
  const parsed = boardMessageSchema.safeParse(event);
  if (parsed.success) return JSON.stringify(parsed.data);
  console.error("[api] a board event does not match its schema", parsed.error.issues.slice(0, 5));
  return null;
}

/**
 * SSE of board changes: `event: board`, `data: <BoardMessage JSON: a BoardEvent with seq and at>`,
 * `: ping` heartbeats. Nothing is replayed: a client refetches the board when it (re)connects.
 */
export const GET = handler(async (request) =>
  sseResponse(
    (channel) => {
      const off = services().bus.onBoard((event) => {
        const data = boardData(event);
        if (data !== null) channel.send({ event: "board", data });
      });
      channel.onClose(off);
    },
    { signal: request.signal },
  ),
);
