import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/**
 * Whether the caller's session is good: the gate in server.ts answers 401 before this runs when
 * it is not. The UI asks after an event stream or terminal failed, to send a logged-out user to /login.
 */
export const GET = handler(async () => ({ authenticated: true }));
