import { z } from "zod";

/** GET /api/session: answered only when the caller's token or session is good (else the gate's 401). */
export const sessionStatusSchema = z.object({ authenticated: z.literal(true) });
