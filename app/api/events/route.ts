import { sseResponse } from "@/server/events/sse";
import { handler } from "@/server/http/handler";
import { services } from "@/server/services";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * SSE of board changes: `event: board`, `data: <BoardEvent JSON with seq and at>`, `: ping`
 * heartbeats. Nothing is replayed: a client refetches the board when it (re)connects.
 */
export const GET = handler(async (request) =>
  sseResponse(
    (channel) => {
      const off = services().bus.onBoard((event) => channel.send({ event: "board", data: JSON.stringify(event) }));
      channel.onClose(off);
    },
    { signal: request.signal },
  ),
);
