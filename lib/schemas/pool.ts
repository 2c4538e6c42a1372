import { z } from "zod";
import { listSchema } from "./common";

const workspaceIdsSchema = z
  .array(z.number().int().positive())
  .min(1, "A pool needs at least one workspace.")
  .max(64)
  .refine((ids) => new Set(ids).size === ids.length, "A workspace is listed twice.");

export const poolCreateSchema = z.object({ name: z.string().trim().min(1).max(100), workspaceIds: workspaceIdsSchema }).strict();
export type PoolCreate = z.infer<typeof poolCreateSchema>;

export const poolUpdateSchema = poolCreateSchema.partial().strict();
export type PoolUpdate = z.infer<typeof poolUpdateSchema>;

/** A pool: workspaces that hold the same repository (same remote URL or a shared root commit). */
export const poolSchema = z.object({
  id: z.number(),
  name: z.string(),
  workspaceIds: z.array(z.number()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Pool = z.infer<typeof poolSchema>;

/** GET /api/pools */
export const poolListSchema = listSchema(poolSchema);

