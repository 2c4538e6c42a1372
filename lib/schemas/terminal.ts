import { z } from "zod";
import { WORKSPACE_TYPES } from "../enums";

/** GET /api/tasks/:id/terminal: what the terminal page needs to attach to the task's tmux session. */
export const terminalInfoSchema = z.object({
  taskId: z.number(),
  taskNumber: z.number(),
  title: z.string(),
  sessionName: z.string(),
  cwd: z.string(),
  workspace: z.object({ id: z.number(), name: z.string(), type: z.enum(WORKSPACE_TYPES) }),
  /** Where the page opens its WebSocket. */
  websocketPath: z.string(),
});
export type TerminalInfo = z.infer<typeof terminalInfoSchema>;
