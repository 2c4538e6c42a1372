import "server-only";
import type { z } from "zod";
import { AppError } from "@/lib/errors";

/**
 * Builds a response body through its schema (lib/schemas/): the value must type-check against
 * the contract, and what is sent is what the client's parse will accept, with nothing extra.
 * A value that fails the schema is a server bug: logged with its issues, answered as a 500.
 */
export function respond<S extends z.ZodType>(schema: S, value: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  console.error("[api] a response does not match its schema", parsed.error.issues.slice(0, 5));
  throw new AppError("internal", "The server built an invalid response; the server log has the details.");
}

/** A 201 answer whose body goes through its schema. */
export function respondCreated<S extends z.ZodType>(schema: S, value: z.input<S>): Response {
  return Response.json(respond(schema, value), { status: 201 });
}
