import { z } from "zod";
import { PROVIDERS, QUOTA_STATES, TASK_STATUSES } from "../enums";

export const TASK_EVENT_TYPES = ["task.created", "task.updated", "task.deleted", "task.started", "task.finished", "task.merged"] as const;

/** Changes the board cares about; published on the bus and sent on `/api/events`. */
export const boardEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.enum(TASK_EVENT_TYPES), taskId: z.number(), workspaceId: z.number().nullable(), status: z.enum(TASK_STATUSES).nullable() }),
  z.object({ type: z.literal("workspace.changed"), workspaceId: z.number() }),
  z.object({ type: z.literal("quota.changed"), provider: z.enum(PROVIDERS), state: z.enum(QUOTA_STATES), resetsAt: z.string().nullable() }),
]);
export type BoardEvent = z.infer<typeof boardEventSchema>;
export type BoardEventType = BoardEvent["type"];

/** One `event: board` message of GET /api/events: the event with its sequence number and time. */
export const boardMessageSchema = z.intersection(boardEventSchema, z.object({ seq: z.number(), at: z.string() }));
export type BoardMessage = z.infer<typeof boardMessageSchema>;
