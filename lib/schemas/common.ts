import { z } from "zod";

export const idSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const MAX_PROMPT_BYTES = 100 * 1024;

/** A prompt: non-empty, at most 100 KB of UTF-8. */
export const promptSchema = z
  .string()
  .refine((value) => value.trim().length > 0, "The prompt is empty.")
  .refine((value) => new TextEncoder().encode(value).length <= MAX_PROMPT_BYTES, `The prompt is over ${MAX_PROMPT_BYTES / 1024} KB.`);

export const absolutePathSchema = z
  .string()
  .trim()
  .min(1)
  .max(4096)
  .refine((value) => value.startsWith("/"), "Must be an absolute path.")
  .refine((value) => !value.includes("\0"), "Must not contain NUL.");

/** Git branch names as git check-ref-format accepts them, minus the exotic corners. */
export const branchNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._/+-]+(?<!\.lock)(?<![./])$/, "Not a valid branch name.");

/** Every list endpoint answers `{ items, nextCursor }`; nextCursor is null on the last page. */
export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export type ListResponse<T> = { items: T[]; nextCursor: string | null };

/** The body of every error answer: `{ error: { code, message, details? } }` (codes: lib/errors.ts). */
export const apiErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;
