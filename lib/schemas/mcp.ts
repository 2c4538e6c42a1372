import { z } from "zod";

const jsonRpcId = z.union([z.string(), z.number()]);

/** One JSON-RPC 2.0 message as MCP's Streamable HTTP transport takes it (the SDK checks the rest). */
const jsonRpcMessageSchema = z.looseObject({ jsonrpc: z.literal("2.0"), id: jsonRpcId.optional(), method: z.string().optional() });

/** POST /api/mcp: a JSON-RPC message or a batch of them. */
export const mcpMessageSchema = z.union([jsonRpcMessageSchema, z.array(jsonRpcMessageSchema)]);

/** The MCP transport's own refusals (wrong Accept, not JSON, ...) are JSON-RPC errors, not `{error:{code,message}}`. */
export const jsonRpcErrorSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: jsonRpcId.nullable(),
  error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }),
});
