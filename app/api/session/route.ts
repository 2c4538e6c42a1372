import { sessionStatusSchema } from "@/lib/schemas/session";
import { handler } from "@/server/http/handler";
import { respond } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/**
 * Whether the caller's session is good: the gate in server.ts answers 401 before this runs when
 * it is not. The UI asks after an event stream or terminal failed, to send a logged-out user to /login.
 */
export const GET = handler(async () => respond(sessionStatusSchema, { authenticated: true }));
