import { terminalInfoSchema } from "@/lib/schemas/terminal";
import { handler, parseId } from "@/server/http/handler";
import { respond } from "@/server/http/respond";
import { terminalInfo } from "@/server/terminal/info";

export const dynamic = "force-dynamic";

/**
 * The task's terminal: its tmux session and working directory. The terminal itself is a
 * WebSocket on the same path, served by server.ts (server/terminal/).
 */
export const GET = handler(async (_request, params) => respond(terminalInfoSchema, await terminalInfo(parseId(params))));
